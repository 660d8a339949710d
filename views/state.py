"""One view state for the interactive map, the URL and the static export.

`parse_query` turns a URL query (or CLI options) into a valid `ViewState` plus
a `LinkWarning` for every value it had to ignore (bilingual data, the value
shortened by `short_value`); it never raises on user input.
`to_query` is its inverse: parse(to_query(s)) == s.

Query keys: `clusters`, `basis`, `tier`, `coverage`, `zoning`, `lang`, `basemap`,
`city` (always written, `city` when one is in focus), and the comparison tab's
choices, written only when they differ from the default: `tab` (the open tab),
`a` and `b` (the two places compared: a city or a zone), `sort` (the matrix order).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace

from ingest.cities import NameIndex

BASIS = ("explicit", "all")
TIER = ("all", "pillar", "emerging")
LANGS = ("zh", "en")
BASEMAPS = ("none", "osm", "carto", "gaode")
CLUSTER_KEYWORDS = ("all", "none", "pillar", "emerging")
PANELS = ("map", "compare", "designations", "export", "about")  # the app's tabs, in order
MATRIX_SORTS = ("policy", "total")
DEFAULT_PLACES = ("440100", "440300")  # 广州, 深圳: the pair compared until one is chosen
_TRUE = {"1", "true", "on", "yes"}
_FALSE = {"0", "false", "off", "no"}
WARNING_VALUE_CHARS = 40


def short_value(raw: object, limit: int = WARNING_VALUE_CHARS) -> str:
    """A raw link value made safe to quote in a warning: control, format (bidi,
    zero-width) and other invisible characters removed, white space collapsed,
    at most `limit` characters (the last one '…' when cut)."""
    text = re.sub(r"\s+", " ", str(raw))
    text = "".join(ch for ch in text if unicodedata.category(ch)[0] != "C").strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


class LinkWarning(str):
    """A link parameter that was ignored, as data: `key`, `value` (shortened by
    `short_value`), `accepted` values (`examples`: True when they are examples,
    not the full list). As a str it is the English sentence; `.zh` and `.en`
    (or `.text(lang)`) are the sentences in each language. Show them as plain
    text: the value comes from the link."""

    key: str
    value: str
    accepted: tuple[str, ...]
    examples: bool

    def __new__(cls, key: str, raw: object, accepted: Iterable[str], examples: bool = False) -> LinkWarning:
        value = short_value(raw)
        accepted = tuple(accepted)
        sep = ", "
        en = (f"link parameter {key}: the value '{value}' was ignored; accepted: "
              f"{'e.g. ' if examples else ''}{sep.join(accepted)}")
        obj = super().__new__(cls, en)
        obj.key, obj.value, obj.accepted, obj.examples = key, value, accepted, examples
        return obj

    @property
    def en(self) -> str:
        return str.__str__(self)

    @property
    def zh(self) -> str:
        return (f"链接参数 {self.key} 的值“{self.value}”已忽略；可用值：{'例如 ' if self.examples else ''}"
                f"{'、'.join(self.accepted)}")

    def text(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en

    def __reduce__(self):  # picklable (st.session_state may be pickled)
        return (LinkWarning, (self.key, self.value, self.accepted, self.examples))


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
    # The comparison tab's choices: they change no map.
    panel: str = "map"  # the open tab, one of PANELS
    cmp_a: str = DEFAULT_PLACES[0]  # the two places compared: a city adcode or a zone id
    cmp_b: str = DEFAULT_PLACES[1]
    msort: str = "policy"  # the matrix's row order, one of MATRIX_SORTS

    def with_(self, **changes) -> ViewState:
        return replace(self, **changes)

    def map_view(self) -> ViewState:
        """The state with the comparison choices at their defaults: what a map or a
        scene depends on (so switching tabs never misses a map cache)."""
        return replace(self, **{f: getattr(ViewState, f) for f in COMPARE_FIELDS})


COMPARE_FIELDS = ("panel", "cmp_a", "cmp_b", "msort")


@dataclass
class ParseResult:
    state: ViewState
    warnings: list[LinkWarning] = field(default_factory=list)


def _first(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, (list, tuple)):
        value = value[-1] if value else ""
    return str(value)


def expand_clusters(spec: str, cluster_tiers: Mapping[str, str]) -> tuple[tuple[str, ...], list[str]]:
    """'all' | 'none' | 'pillar' | 'emerging' | 'id,id,...' -> ordered ids, unknown ids.

    A part may also be a cluster's key number on the map (1 to the number of clusters,
    in the policy's order), as readers see it on the glyphs."""
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
        elif part.isascii() and part.isdigit() and 1 <= int(part) <= len(order):
            wanted.add(order[int(part) - 1])
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
    warnings.append(LinkWarning(key, raw, choices))
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
    warnings.append(LinkWarning(key, raw, ("1", "0", "on", "off")))
    return default


def place_names(policy) -> dict[str, str]:
    """Every name a link may give a compared place -> its id: a city by adcode or name
    (Chinese, with or without 市, English lower-case), a zone by id, name or short name."""
    names = {k: c.adcode for k, c in policy.city_by_name.items()}
    for z in policy.zones.values():
        for k in (z.id, z.name_zh, z.short_zh, z.name_en.lower(), z.short_en.lower()):
            names.setdefault(k, z.id)
    return names


def _place_examples(names: Mapping[str, str]) -> list[str]:
    """A name, a city code and a zone id a link could use (a zone id is its own key and not digits)."""
    return ([k for k in names if not k.isascii()][:1] + [k for k in names if k.isdigit()][:1]
            + [k for k, v in names.items() if k == v and not k.isdigit()][:1])


def _place(params, key, names, index, default, warnings) -> str:
    raw = _first(params.get(key))
    if raw is None or raw.strip() == "":
        return default
    found = index.get(raw)
    if found is not None:
        return found
    warnings.append(LinkWarning(key, raw, _place_examples(names), examples=True))
    return default


def parse_query(
    params: Mapping[str, object],
    cluster_tiers: Mapping[str, str],
    city_names: Mapping[str, str],
    default: ViewState = ViewState(),
    place_names: Mapping[str, str] | None = None,
) -> ParseResult:
    """`cluster_tiers`: cluster id -> tier, in display order.
    `city_names`: any accepted city key (adcode, Chinese, English lower-case) -> adcode.
    `place_names`: the same for the places `a` and `b` may name (cities and zones)
    -> adcode or zone id; without it, only cities. Values are looked up as
    `cli.py compare` looks them up (`ingest.cities.NameIndex`): 廣州, ４４０１００
    and 440100.0 name 广州."""
    warnings: list[LinkWarning] = []
    clusters = default.clusters
    raw = _first(params.get("clusters"))
    if raw is not None:
        clusters, unknown = expand_clusters(raw, cluster_tiers)
        if unknown:
            warnings.append(LinkWarning("clusters", ",".join(unknown),
                                        CLUSTER_KEYWORDS + tuple(list(cluster_tiers)[:3]), examples=True))
    city = default.city
    raw_city = _first(params.get("city"))
    if raw_city is not None:
        found = NameIndex(city_names).get(raw_city)
        if raw_city.strip() == "":
            city = None
        elif found is not None:
            city = found
        else:
            examples = [k for k in city_names if not k.isdigit()][:2] + [k for k in city_names if k.isdigit()][:1]
            warnings.append(LinkWarning("city", raw_city, examples, examples=True))
    places = place_names or city_names
    place_index = NameIndex(places)
    state = ViewState(
        clusters=clusters,
        basis=_choice(params, "basis", BASIS, default.basis, warnings),
        tier=_choice(params, "tier", TIER, default.tier, warnings),
        coverage=_flag(params, "coverage", default.coverage, warnings),
        zoning=_flag(params, "zoning", default.zoning, warnings),
        lang=_choice(params, "lang", LANGS, default.lang, warnings),
        basemap=_choice(params, "basemap", BASEMAPS, default.basemap, warnings),
        city=city,
        panel=_choice(params, "tab", PANELS, default.panel, warnings),
        cmp_a=_place(params, "a", places, place_index, default.cmp_a, warnings),
        cmp_b=_place(params, "b", places, place_index, default.cmp_b, warnings),
        msort=_choice(params, "sort", MATRIX_SORTS, default.msort, warnings),
    )
    return ParseResult(state, warnings)


def to_query(state: ViewState, cluster_tiers: Mapping[str, str]) -> dict[str, str]:
    """The query of a state; the comparison choices only where they are not the default."""
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
    for key, field_name in (("tab", "panel"), ("a", "cmp_a"), ("b", "cmp_b"), ("sort", "msort")):
        value = getattr(state, field_name)
        if value != getattr(ViewState, field_name):
            q[key] = value
    return q
