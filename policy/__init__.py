"""The policy model: 粤府函〔2020〕82号 as traceable data.

`load_policy()` reads the reviewed data files under data/ and returns a `Policy`;
`policy.coverage` turns its designations into per-city and per-zone counts.
Nothing here imports Streamlit or Folium.
"""

from policy.model import (
    BASES,
    TIERS,
    City,
    Cluster,
    Designation,
    Policy,
    PolicyDataError,
    Region,
    Zone,
    load_policy,
)

__all__ = [
    "BASES",
    "TIERS",
    "Cluster",
    "City",
    "Designation",
    "Policy",
    "PolicyDataError",
    "Region",
    "Zone",
    "load_policy",
]
