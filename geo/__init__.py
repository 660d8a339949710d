"""Geographic data helpers: boundary loaders and coordinate systems."""

from geo.boundaries import (
    BoundaryDataError,
    load_cities,
    load_context,
    load_counties,
)
from geo.crs import GUANGDONG_CRS, gcj02_to_wgs84, wgs84_to_gcj02

__all__ = [
    "GUANGDONG_CRS",
    "BoundaryDataError",
    "gcj02_to_wgs84",
    "load_cities",
    "load_context",
    "load_counties",
    "wgs84_to_gcj02",
]
