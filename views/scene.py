"""The scene: everything a map shows, decided once for both renderers.

`build_scene(policy, rows, state)` turns the data and a `ViewState` into a
`Scene`: per city its fill, the glyph of every (cluster, city, role) the
selected clusters designate, the zoning look, the title and subtitle, the
legend, and the notes that explain what is empty. `layers/` (Leaflet) and
`export/` (matplotlib) only draw a scene; neither decides what is shown.

How clusters are drawn (the design, in short):

- Every cluster has a fixed colour and a key number (pillar 1-10, emerging
  11-20). At each city it designates, it puts one glyph per role: the glyph's
  colour and number say which cluster, its shape says which role, and a
  hollow, dashed glyph says the city is covered only through a region term
  (珠三角, 粤东粤西粤北 ...), never named. So with any number of clusters on, a
  reader can name every cluster at every city, and its role, from the map
  and the legend; colour is never the only cue.
- With exactly one cluster on, the cities it designates are also tinted in
  its colour (pale for region-level only), so "where is it" reads at once.
- While any cluster is on, the coverage choropleth is not drawn (its ramp
  would compete with the cluster colours); the legend says so. The 一核一带一区
  zones are filled only when nothing else colours the map; otherwise they are
  dark outlines drawn just inside each zone, one line style per zone.

The Leaflet map is rendered once for all clusters and switches overlays in
the browser, so the scene also carries, for every legend entry and note, the
overlays it depends on (`Scene.catalogue`); `Scene.legend` is the part that
the current view shows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from math import ceil, sqrt

import pandas as pd

from policy.coverage import city_coverage, class_breaks, select
from policy.model import Policy
from views import i18n
from views.i18n import t
from views.state import ViewState
from views.style import (
    FOCUS,
    LAND,
    NEUTRAL_GLYPH,
    ROLE_MARKERS,
    ROLE_ORDER,
    Area,
    Classes,
    GlyphLook,
    Stroke,
    badge_look,
    cluster_color,
    coverage_classes,
    coverage_look,
    glyph_look,
    tint_look,
    zone_fill,
    zone_line,
)

# Conditions under which a legend section or note is shown. Which of them hold depends
# only on three facts about the overlays on screen (`mode_key`); `MODES` lists them for
# every combination the layer control can produce, and both renderers look them up.
WHEN = ("always", "coverage", "zoning_fill", "zoning_outline", "clusters", "single_cluster")
FOCUS_LAYER = "focus"  # a pseudo-overlay, on while a city is in focus


def _holds(coverage_on: bool, zoning_on: bool, n: int) -> frozenset[str]:
    """The rule behind every conditional element: the coverage shading only with no
    cluster on, zones filled only when nothing else colours the map (else outlined), the
    one-cluster tint only with exactly one cluster."""
    coverage = coverage_on and n == 0
    out = {"always"}
    if coverage:
        out.add("coverage")
    if zoning_on and not coverage and n == 0:
        out.add("zoning_fill")
    if zoning_on and (coverage or n > 0):
        out.add("zoning_outline")
    if n > 0:
        out.add("clusters")
    if n == 1:
        out.add("single_cluster")
    return frozenset(out)


def tier_allows(tier: str, cluster_tier: str) -> bool:
    """The tier filter's one rule: "all" lets every cluster through, a tier only its own."""
    return tier == "all" or cluster_tier == tier


def mode_key(coverage_on: bool, zoning_on: bool, n_clusters: int) -> str:
    """"<coverage 0/1><zoning 0/1><clusters on: 0, 1 or 2 for two or more>"."""
    return f"{int(coverage_on)}{int(zoning_on)}{min(n_clusters, 2)}"


MODES = {mode_key(c, z, n): _holds(c, z, n) for c in (False, True) for z in (False, True) for n in (0, 1, 2)}


@dataclass(frozen=True)
class Glyph:
    """One role of one cluster at one city, with its look."""

    cluster_id: str
    key: int  # the cluster's key number, printed in the glyph
    adcode: str
    role: str  # role category, see ROLE_MARKERS
    basis: str  # "explicit" or "region" (the city only through a region term)
    color: str  # the cluster's colour
    look: GlyphLook

    @property
    def marker(self) -> str:
        return self.look.marker

    @property
    def text_color(self) -> str:
        return self.look.text_color


@dataclass(frozen=True)
class Clause:
    """What one designation says about one city: for tooltips, popups and detail."""

    designation_id: str
    role: str
    role_label: str  # the role category in the scene's language
    role_zh: str  # the role as written in the document
    basis: str
    basis_label: str
    place_zh: str  # the place as written
    quote: str  # verbatim


@dataclass(frozen=True)
class ClusterKey:
    """A cluster as the legend, the checklist and the layer control show it."""

    id: str
    key: int
    tier: str
    number: int  # within its tier, as in the document
    name: str
    color: str
    text_color: str
    explicit_cities: tuple[str, ...]  # adcodes the document names
    region_cities: tuple[str, ...]  # adcodes covered only through a region term
    drawn_cities: tuple[str, ...]  # adcodes with glyphs at the scene's basis
    region_terms: tuple[str, ...]  # the region terms the cluster's clauses use
    label: str  # "4 汽车产业（5 市）"
    empty_note: str | None  # why nothing is drawn, or None

    @property
    def name_label(self) -> str:
        """The key number and name, without the count: "4 汽车产业"."""
        return f"{self.key} {self.name}"

    @property
    def chip(self) -> GlyphLook:
        """The cluster's key: a circle in its colour with its number."""
        return glyph_look(self.color, "o", str(self.key))

    def tint(self, adcode: str) -> Area | None:
        """How the cluster marks `adcode` when it is the only one on."""
        if adcode in self.explicit_cities and adcode in self.drawn_cities:
            return tint_look(self.color, "explicit")
        if adcode in self.drawn_cities:
            return tint_look(self.color, "region")
        return None


@dataclass(frozen=True)
class LegendEntry:
    """One line of the legend: its words, and the very look it explains (the same
    object the map draws with)."""

    label: str
    look: Area | Stroke | GlyphLook
    layers: tuple[str, ...] = ()  # shown while any of these overlays is on (empty: always)
    group: str = ""  # a sub-heading of its section (the cluster's tier), see LegendSection.groups

    @property
    def kind(self) -> str:
        return {GlyphLook: "glyph", Stroke: "line", Area: "area"}[type(self.look)]


@dataclass(frozen=True)
class LegendSection:
    id: str
    title: str
    entries: tuple[LegendEntry, ...]
    when: str = "always"
    note: str | None = None
    # (group, heading) of the entries' groups: a legend whose entries fall in more than
    # one group heads each (支柱 / 新兴).
    groups: tuple[tuple[str, str], ...] = ()
    note_alone: bool = True  # the note is worth showing with none of the entries

    @property
    def keep_empty(self) -> bool:
        """Shown for its note even when none of its entries is (both renderers)."""
        return bool(self.note) and self.note_alone


@dataclass(frozen=True)
class Note:
    """A sentence beside the map, e.g. why a cluster draws nothing."""

    text: str
    layers: tuple[str, ...] = ()  # shown while any of these overlays is on (empty: always)
    when: str = "always"
    action: str | None = None  # "basis_all": one click shows region-level designations
    hint: str = ""  # how to act on it, said where a reader can (the app), not in print

    @property
    def beside_map(self) -> bool:
        """Said beside the interactive map by the app (what a cluster or tier does not
        draw); the shading's own note stays in the legend."""
        return self.layers != ("coverage",)

    @property
    def interactive_text(self) -> str:
        return f"{self.text}{'' if self.text.endswith('。') or not self.hint else ' '}{self.hint}".strip()


@dataclass(frozen=True)
class Scene:
    lang: str
    basis: str
    tier: str  # "all", or the one tier whose clusters are drawn (a ticked cluster of the other is not)
    visible: frozenset[str]  # overlay ids on: "coverage", "zoning", ticked cluster ids (of any tier)
    title: str
    subtitle: str
    source: str
    city_names: dict[str, str]  # adcode -> name in the scene's language
    coverage_counts: dict[str, int]  # adcode -> clusters per city (basis, tier)
    coverage_colors: dict[str, str]  # adcode -> choropleth colour
    clusters: tuple[ClusterKey, ...]  # every cluster of the data, in the policy's order
    glyphs: tuple[Glyph, ...]  # every cluster's glyphs at this basis (not only the visible ones)
    clauses: dict[tuple[str, str], tuple[Clause, ...]]  # (cluster id, adcode) -> its clauses
    catalogue: tuple[LegendSection, ...]  # every legend section, with the overlays it needs
    all_notes: tuple[Note, ...]
    zone_fills: dict[str, Area] = field(default_factory=dict)  # zone id -> look when filled
    zone_lines: dict[str, Stroke] = field(default_factory=dict)  # zone id -> look when outlined
    classes: Classes | None = None  # the clusters-per-city classes
    focus: str | None = None  # adcode of the city in focus (highlighted with style.FOCUS)
    title_short: str = ""  # the title by rule, where a page has no room for `title`
    # Print's note under the sources: the schematic-map note, or the map approval number
    # (审图号) of the user's boundaries.
    print_note: str = ""

    # --- what the current view shows ------------------------------------------------

    def in_tier(self, cid: str) -> bool:
        """Whether the tier filter lets cluster `cid` be drawn (and counted)."""
        return tier_allows(self.tier, self.cluster(cid).tier)

    @property
    def visible_clusters(self) -> tuple[str, ...]:
        """The clusters drawn: ticked, and of the scene's tier."""
        return tuple(c.id for c in self.clusters if c.id in self.visible and self.in_tier(c.id))

    def mode(self, visible: frozenset[str] | None = None) -> str:
        vis = self.visible if visible is None else visible
        return mode_key("coverage" in vis, "zoning" in vis,
                        sum(1 for c in self.clusters if c.id in vis and self.in_tier(c.id)))

    def condition(self, when: str, visible: frozenset[str] | None = None) -> bool:
        """Whether `when` holds for the overlays on screen (looked up in MODES, as the
        Leaflet map does)."""
        if when not in WHEN:
            raise ValueError(f"unknown condition {when!r}; known: {', '.join(WHEN)}")
        return when in MODES[self.mode(visible)]

    @property
    def coverage_drawn(self) -> bool:
        return self.condition("coverage")

    @property
    def zoning_mode(self) -> str | None:
        """"fill", "outline" or None (zoning off)."""
        if self.condition("zoning_fill"):
            return "fill"
        if self.condition("zoning_outline"):
            return "outline"
        return None

    @property
    def tint_cluster(self) -> str | None:
        """The one cluster whose cities are tinted, when exactly one is on."""
        vc = self.visible_clusters
        return vc[0] if len(vc) == 1 else None

    def city_area(self, adcode: str) -> Area:
        """The city's own fill: its clusters-per-city class while the shading is drawn, else land."""
        return coverage_look(self.coverage_colors[adcode]) if self.coverage_drawn else LAND

    def city_fill(self, adcode: str) -> str:
        return self.city_area(adcode).fill

    def tint_area(self, adcode: str) -> Area | None:
        """The one cluster's mark on the city (None: no tint, or the cluster skips it)."""
        cid = self.tint_cluster
        return self.cluster(cid).tint(adcode) if cid else None

    def visible_glyphs(self) -> tuple[Glyph, ...]:
        vis = set(self.visible_clusters)
        return tuple(g for g in self.glyphs if g.cluster_id in vis)

    def glyphs_at(self, adcode: str) -> tuple[Glyph, ...]:
        return tuple(g for g in self.visible_glyphs() if g.adcode == adcode)

    def _on(self, layers: tuple[str, ...]) -> bool:
        on = self.visible | ({FOCUS_LAYER} if self.focus else set())
        return not layers or any(lay in on for lay in layers)

    @property
    def legend(self) -> tuple[LegendSection, ...]:
        """The legend of the current view: sections and entries whose overlays are on."""
        out = []
        for s in self.catalogue:
            if not self.condition(s.when):
                continue
            entries = tuple(e for e in s.entries if self._on(e.layers))
            if entries or s.keep_empty:
                out.append(LegendSection(s.id, s.title, entries, s.when, s.note if entries or s.note_alone else None,
                                         s.groups, s.note_alone))
        return tuple(out)

    @property
    def notes(self) -> tuple[Note, ...]:
        return tuple(n for n in self.all_notes if self.condition(n.when) and self._on(n.layers))

    def cluster(self, cid: str) -> ClusterKey:
        return next(c for c in self.clusters if c.id == cid)

    def city_items(self, adcode: str) -> list[tuple[ClusterKey, tuple[Clause, ...]]]:
        """The visible clusters that designate `adcode`, each with its clauses."""
        return [(c, self.clauses[(c.id, adcode)]) for c in self.clusters
                if c.id in self.visible_clusters and (c.id, adcode) in self.clauses]

    def badge_look(self, n: int) -> Area:
        """A phone's badge for a city where n clusters are drawn: filled as the
        clusters-per-city shading fills n."""
        return badge_look(self.classes.color(n) if self.classes else LAND.fill)

    def columns_table(self) -> list[int]:
        """glyph_columns(n) for every n up to the most glyphs any city can have."""
        counts: dict[str, int] = {}
        for g in self.glyphs:
            counts[g.adcode] = counts.get(g.adcode, 0) + 1
        return [glyph_columns(n) for n in range(max(counts.values(), default=0) + 1)]


def glyph_columns(n: int) -> int:
    """Glyphs at one city are packed in rows of this many (compact, wider than tall)."""
    if n <= 3:
        return max(n, 1)
    return min(n, ceil(sqrt(2 * n)))


def cluster_key_number(policy: Policy, cid: str) -> int:
    return list(policy.clusters).index(cid) + 1


# ------------------------------------------------------------------------------ words



def st_(key: str, lang: str, **kw) -> str:
    """A scene sentence (views/i18n.py) with its blanks filled in."""
    return t(key, lang).format(**kw)


def _cities_n(n: int, lang: str) -> str:
    return st_("n_cities", lang, n=n, cities="city" if n == 1 else "cities")


def _title(policy: Policy, state: ViewState, visible_clusters: list[str], coverage: bool) -> tuple[str, str]:
    """(title, the title by rule where a page has no room for it)."""
    lang = state.lang
    if visible_clusters:
        names = [i18n.cluster_name(policy, c, lang) for c in visible_clusters]
        many = st_("title_many", lang, n=len(names))
        if len(names) == 1:
            one = st_("title_one", lang, name=i18n.cluster_title_name(names[0], lang))
            return one, one
        if len(names) <= 4:  # up to four fit a title; more (or a short page) name them in the legend
            joined = "、".join(names) if lang == "zh" else ", ".join(names)
            return st_("title_few", lang, names=i18n.cluster_title_name(joined, lang)), \
                st_("title_few_short", lang, n=len(names))
        return many, many
    if coverage:
        return i18n.coverage_title(policy, state.basis, state.tier, lang), i18n.coverage_title_short(state.tier, lang)
    if state.zoning:
        return st_("title_zoning", lang), st_("title_zoning", lang)
    return st_("title_cities", lang), st_("title_cities", lang)


def _layers(visible_clusters: list[str], coverage: bool, zoning: bool) -> tuple[str, ...]:
    """The layers whose documents a map cites: the clusters (glyphs, tints or their count
    per city) and the zoning."""
    return tuple(x for x, on in (("clusters", bool(visible_clusters) or coverage), ("zoning", zoning)) if on)


def _subtitle(policy: Policy, state: ViewState, visible_clusters: list[str], coverage: bool) -> str:
    lang = state.lang
    # The document of the map's theme (the clusters, else the zoning); the footer credits
    # every layer drawn.
    parts = [i18n.based_on(policy, lang, _layers(visible_clusters, coverage, state.zoning)[:1])]
    if visible_clusters or coverage:  # the zoning alone does not depend on the basis
        parts.append(t(f"basis_{state.basis}", lang))
    if coverage and state.tier != "all":
        parts.append(t(f"tier_{state.tier}", lang))
    return ("；" if lang == "zh" else "; ").join(p for p in parts if p)


# ----------------------------------------------------------------------- the scene

def _glyphs_and_clauses(policy: Policy, rows: pd.DataFrame, basis: str, lang: str):
    """Glyphs per (cluster, city, role) and clauses per (cluster, city).

    A role that reaches a city both by name and through a region term is drawn
    once, as named; a role that reaches it only through a region term is drawn
    hollow even when the city is named for another role."""
    sel = select(rows, basis, "all")
    rank = {r: i for i, r in enumerate(ROLE_ORDER)}
    order = {cid: i for i, cid in enumerate(policy.clusters)}
    roles: dict[tuple[str, str, str], str] = {}
    clauses: dict[tuple[str, str], list[Clause]] = {}
    for r in sel.itertuples():
        k = (r.cluster_id, r.adcode, r.role)
        if roles.get(k) != "explicit":
            roles[k] = r.basis
        clauses.setdefault((r.cluster_id, r.adcode), []).append(Clause(
            designation_id=r.designation_id, role=r.role, role_label=i18n.role_name(policy, r.role, lang),
            role_zh=r.role_zh, basis=r.basis, basis_label=t(r.basis, lang), place_zh=r.place_zh, quote=r.quote))
    glyphs = []
    for (cid, adcode, role), b in sorted(roles.items(), key=lambda kv: (order[kv[0][0]], kv[0][1], rank[kv[0][2]])):
        color = cluster_color(order[cid])
        look = glyph_look(color, ROLE_MARKERS[role], str(order[cid] + 1), hollow=b == "region")
        glyphs.append(Glyph(cid, order[cid] + 1, adcode, role, b, color, look))
    return tuple(glyphs), {k: tuple(v) for k, v in clauses.items()}


def _term(policy: Policy, d, lang: str) -> str:
    """A region term as written, glossed in English ("East bank of the Pearl River (珠江东岸)")."""
    region = policy.regions.get(d.region_id) if d.region_id else None
    if lang == "zh" or region is None:
        return d.place_zh
    return f"{region.name_en} ({d.place_zh})"


def _cluster_keys(policy: Policy, rows: pd.DataFrame, glyphs, basis: str, lang: str) -> tuple[ClusterKey, ...]:
    allrows = select(rows, "all", "all")
    out = []
    for i, (cid, cl) in enumerate(policy.clusters.items()):
        mine = allrows[allrows["cluster_id"] == cid]
        explicit = tuple(dict.fromkeys(mine.loc[mine["basis"] == "explicit", "adcode"]))
        region = tuple(a for a in dict.fromkeys(mine.loc[mine["basis"] == "region", "adcode"]) if a not in explicit)
        drawn = tuple(dict.fromkeys(g.adcode for g in glyphs if g.cluster_id == cid))
        terms = tuple(dict.fromkeys(_term(policy, d, lang) for d in cl.designations if d.basis == "region"))
        name = i18n.cluster_name(policy, cid, lang)
        color = cluster_color(i)
        note = None
        if not drawn:
            sep = "、" if lang == "zh" else ", "
            kind = "explicit" if terms and basis == "explicit" else "none"
            note = st_(f"empty_{kind}", lang, name=name, terms=sep.join(terms))
        count = _cities_n(len(drawn), lang) if drawn else st_("empty_short", lang)
        if basis == "explicit" and drawn and region:
            count += ("，" if lang == "zh" else "; ") + st_("region_only_n", lang, n=len(region))
        label = f"{i + 1} {name}（{count}）" if lang == "zh" else f"{i + 1} {name} ({count})"
        out.append(ClusterKey(cid, i + 1, cl.tier, cl.number, name, color, glyph_look(color, "o").text_color,
                              explicit, region, drawn, terms, label, note))
    return tuple(out)


def _catalogue(policy, state, clusters, glyphs, classes: Classes, counts) -> tuple[LegendSection, ...]:
    lang = state.lang
    sections = []
    n_in = [sum(1 for c in counts.values() if classes.index(c) == i) for i in range(len(classes.colors))]
    sections.append(LegendSection(
        "coverage", t("legend_coverage", lang),
        tuple(LegendEntry(f"{label}（{_cities_n(n, lang)}）" if lang == "zh" else f"{label} ({_cities_n(n, lang)})",
                          coverage_look(color))
              for color, label, n in zip(classes.colors, classes.labels(), n_in) if n),  # only classes drawn
        when="coverage"))
    zones = list(policy.zones.values())

    def zone_label(z):
        name = f"{z.short_zh} {z.name_zh}" if lang == "zh" else i18n.zone_name(policy, z.id, lang)
        return i18n.with_count(name, _cities_n(len(z.members), lang), lang)

    sections.append(LegendSection("zoning_fill", t("zoning_layer", lang), tuple(
        LegendEntry(zone_label(z), zone_fill(i)) for i, z in enumerate(zones)), when="zoning_fill"))
    sections.append(LegendSection("zoning_outline", t("zoning_layer", lang), tuple(
        LegendEntry(zone_label(z), zone_line(i)) for i, z in enumerate(zones)), when="zoning_outline"))
    # A cluster that draws nothing has no chip (the legend explains only what is drawn):
    # its note says why, once; the note on cities without a glyph needs a glyph to contrast.
    sections.append(LegendSection(
        "clusters", st_("clusters_title", lang),
        tuple(LegendEntry(c.label, c.chip, layers=(c.id,), group=c.tier) for c in clusters if c.drawn_cities),
        when="clusters", note=st_("no_glyph", lang),
        groups=tuple((tier, st_(f"clusters_{tier}", lang)) for tier in ("pillar", "emerging")), note_alone=False))
    roles_used = {r: tuple(dict.fromkeys(g.cluster_id for g in glyphs if g.role == r)) for r in ROLE_ORDER}
    sections.append(LegendSection("roles", st_("roles_title", lang), tuple(
        LegendEntry(i18n.role_name(policy, r, lang), glyph_look(NEUTRAL_GLYPH, ROLE_MARKERS[r]), layers=ids)
        for r, ids in roles_used.items() if ids), when="clusters"))
    region_ids = tuple(dict.fromkeys(g.cluster_id for g in glyphs if g.basis == "region"))
    if region_ids:
        sections.append(LegendSection("basis", st_("basis_title", lang), (
            LegendEntry(st_("explicit_glyph", lang), glyph_look(NEUTRAL_GLYPH, "o"), layers=region_ids),
            LegendEntry(st_("region_glyph", lang), glyph_look(NEUTRAL_GLYPH, "o", hollow=True), layers=region_ids),
        ), when="clusters"))
    tint = []
    for c in clusters:
        if c.drawn_cities:
            tint.append(LegendEntry(st_("tint_explicit", lang), tint_look(c.color, "explicit"), layers=(c.id,)))
            if any(g.basis == "region" for g in glyphs if g.cluster_id == c.id):
                tint.append(LegendEntry(st_("tint_region", lang), tint_look(c.color, "region"), layers=(c.id,)))
    sections.append(LegendSection("tint", "", tuple(tint), when="single_cluster"))
    sections.append(LegendSection("focus", "", (LegendEntry(st_("focus_entry", lang), FOCUS, layers=(FOCUS_LAYER,)),)))
    return tuple(sections)


def build_scene(policy: Policy, rows: pd.DataFrame, state: ViewState, *, boundaries=None,
                approval: str | None = None) -> Scene:
    """Everything the map of `state` shows. Pure; a few milliseconds for the built-in data.

    `boundaries`: where the map's boundaries come from (a geo.boundaries.BoundarySource;
    None: the bundled data set), credited in `source`. `approval`: the map approval number
    (审图号) of the user's boundaries, printed in place of the schematic-map note; only
    boundaries the user supplied can carry one (ValueError otherwise)."""
    if approval and not (boundaries is not None and boundaries.user):
        raise ValueError("a map approval number needs the user's own boundaries")
    lang = state.lang
    glyphs, clauses = _glyphs_and_clauses(policy, rows, state.basis, lang)
    clusters = _cluster_keys(policy, rows, glyphs, state.basis, lang)
    cov = city_coverage(policy, rows, state.basis, state.tier)
    classes = coverage_classes(class_breaks(cov["clusters"]))
    counts = dict(zip(cov["adcode"], (int(v) for v in cov["clusters"])))
    visible = frozenset([*(["coverage"] if state.coverage else []), *(["zoning"] if state.zoning else []),
                         *(c for c in state.clusters if c in policy.clusters)])

    # The tier filters clusters on the map as it does every count: a ticked cluster of the
    # other tier is neither drawn nor in the legend, and a note says so.
    def in_tier(cid: str) -> bool:
        return tier_allows(state.tier, policy.clusters[cid].tier)

    vis_clusters = [c for c in policy.clusters if c in visible and in_tier(c)]
    coverage = state.coverage and not vis_clusters
    tiered = tuple(c for c in clusters if in_tier(c.id))
    catalogue = _catalogue(policy, state, tiered, [g for g in glyphs if in_tier(g.cluster_id)], classes, counts)
    notes = []
    for c in tiered:
        if c.empty_note:
            fixable = bool(c.region_terms) and state.basis == "explicit"
            notes.append(Note(c.empty_note, layers=(c.id,), action="basis_all" if fixable else None,
                              hint=st_("empty_hint", lang) if fixable else ""))
    other = tuple(c.id for c in clusters if not in_tier(c.id))
    if other:
        notes.append(Note(st_("tier_hidden", lang, tier=t(f"tier_{state.tier}", lang)), layers=other,
                          hint=st_("tier_hidden_hint", lang)))
    if state.coverage:
        notes.append(Note(st_("coverage_hidden", lang), layers=("coverage",), when="clusters"))
    zones = list(policy.zones)
    title, title_short = _title(policy, state, vis_clusters, coverage)
    return Scene(
        lang=lang, basis=state.basis, tier=state.tier, visible=visible,
        title=title, title_short=title_short,
        subtitle=_subtitle(policy, state, vis_clusters, coverage),
        source=i18n.source_line(policy, lang, _layers(vis_clusters, coverage, state.zoning), boundaries),
        print_note=t("approval_line", lang, number=approval) if approval else i18n.schematic_note(lang, boundaries),
        city_names={a: i18n.city_name(policy, a, lang) for a in policy.cities},
        coverage_counts=counts,
        coverage_colors={a: classes.color(n) for a, n in counts.items()},
        clusters=clusters, glyphs=glyphs, clauses=clauses, catalogue=catalogue, all_notes=tuple(notes),
        zone_fills={z: zone_fill(i) for i, z in enumerate(zones)},
        zone_lines={z: zone_line(i) for i, z in enumerate(zones)},
        classes=classes,
        focus=state.city if state.city in policy.cities else None,
    )
