"""One view state for the interactive map, the URL and the static export.

`parse_query` turns a URL query (or CLI options) into a valid `ViewState` plus
warnings for every value it had to ignore; it never raises on user input.
`to_query` is its inverse: parse(to_query(s)) == s.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Iterable, Mapping

BASIS = ("explicit", "all")
TIER = ("all", "pillar", "emerging")
LANGS = ("zh", "en")
BASEMAPS = ("none", "osm", "carto", "gaode")
CLUSTER_KEYWORDS = ("all", "none", "pillar", "emerging")
_TRUE = {"1", "true", "on", "yes"}
_FALSE = {"0", "false", "off", "no"}


@dataclass(frozen=True)
class ViewState:
    clusters: tuple[str, ...] = ()  # cluster ids, in the policy's order
    basis: str = "explicit"
    tier: str = "all"
    coverage: bool = True  # the coverage choropleth
    zoning: bool = True  # the 一核一带一区 layer
    lang: str = "zh"
    basemap: str = "none"
    city: str | None = None  # adcode of the city in focus

    def with_(self, **changes) -> "ViewState":
        return replace(self, **changes)


@dataclass
class ParseResult:
    state: ViewState
    warnings: list[str] = field(default_factory=list)


def _first(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, (list, tuple)):
        value = value[-1] if value else ""
    return str(value)


def expand_clusters(spec: str, cluster_tiers: Mapping[str, str]) -> tuple[tuple[str, ...], list[str]]:
    """'all' | 'none' | 'pillar' | 'emerging' | 'id,id,...' -> ordered ids, unknown ids."""
    spec = spec.strip()
    order = list(cluster_tiers)
    if spec in ("", "none"):
        return (), []
    if spec == "all":
        return tuple(order), []
    if spec in ("pillar", "emerging"):
        return tuple(c for c in order if cluster_tiers[c] == spec), []
    wanted, unknown = set(), []
    for part in spec.split(","):
        part = part.strip()
        if not part:
            continue
        if part in cluster_tiers:
            wanted.add(part)
        elif part in ("pillar", "emerging", "all"):
            wanted.update(c for c in order if part == "all" or cluster_tiers[c] == part)
        else:
            unknown.append(part)
    return tuple(c for c in order if c in wanted), unknown


def clusters_spec(clusters: Iterable[str], cluster_tiers: Mapping[str, str]) -> str:
    """The shortest query value for a set of clusters."""
    ids = tuple(c for c in cluster_tiers if c in set(clusters))
    if not ids:
        return "none"
    if len(ids) == len(cluster_tiers):
        return "all"
    for tier in ("pillar", "emerging"):
        if ids == tuple(c for c in cluster_tiers if cluster_tiers[c] == tier):
            return tier
    return ",".join(ids)


def _choice(params, key, choices, default, warnings) -> str:
    raw = _first(params.get(key))
    if raw is None:
        return default
    val = raw.strip().lower()
    if val in choices:
        return val
    warnings.append(f"{key}={raw!r} ignored: accepted values are {', '.join(choices)}")
    return default


def _flag(params, key, default, warnings) -> bool:
    raw = _first(params.get(key))
    if raw is None:
        return default
    val = raw.strip().lower()
    if val in _TRUE:
        return True
    if val in _FALSE:
        return False
    warnings.append(f"{key}={raw!r} ignored: accepted values are 1 or 0 (on/off)")
    return default


def parse_query(
    params: Mapping[str, object],
    cluster_tiers: Mapping[str, str],
    city_names: Mapping[str, str],
    default: ViewState = ViewState(),
) -> ParseResult:
    """`cluster_tiers`: cluster id -> tier, in display order.
    `city_names`: any accepted city key (adcode, Chinese, English lower-case) -> adcode."""
    warnings: list[str] = []
    clusters = default.clusters
    raw = _first(params.get("clusters"))
    if raw is not None:
        clusters, unknown = expand_clusters(raw, cluster_tiers)
        if unknown:
            shown = ", ".join(repr(u[:40]) for u in unknown[:5])
            warnings.append(
                f"clusters: unknown id(s) {shown} ignored; accepted: all, none, pillar, emerging "
                f"or ids such as {', '.join(list(cluster_tiers)[:3])}"
            )
    city = default.city
    raw_city = _first(params.get("city"))
    if raw_city is not None:
        key = raw_city.strip()
        if key == "":
            city = None
        elif key in city_names or key.lower() in city_names:
            city = city_names.get(key) or city_names[key.lower()]
        else:
            warnings.append(f"city={raw_city[:40]!r} ignored: not one of the 21 cities (name or adcode)")
    state = ViewState(
        clusters=clusters,
        basis=_choice(params, "basis", BASIS, default.basis, warnings),
        tier=_choice(params, "tier", TIER, default.tier, warnings),
        coverage=_flag(params, "coverage", default.coverage, warnings),
        zoning=_flag(params, "zoning", default.zoning, warnings),
        lang=_choice(params, "lang", LANGS, default.lang, warnings),
        basemap=_choice(params, "basemap", BASEMAPS, default.basemap, warnings),
        city=city,
    )
    return ParseResult(state, warnings)


def to_query(state: ViewState, cluster_tiers: Mapping[str, str]) -> dict[str, str]:
    q = {
        "clusters": clusters_spec(state.clusters, cluster_tiers),
        "basis": state.basis,
        "tier": state.tier,
        "coverage": "1" if state.coverage else "0",
        "zoning": "1" if state.zoning else "0",
        "lang": state.lang,
        "basemap": state.basemap,
    }
    if state.city:
        q["city"] = state.city
    return q
