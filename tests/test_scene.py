"""The scene decides what a map shows; these check its decisions against the data."""

import pytest

from policy.coverage import select
from views import i18n
from views.i18n import t
from views.scene import build_scene, glyph_columns
from views.state import ViewState
from views.style import CONTEXT_FILL, LAND_COLOR, SEA_COLOR

FOUR = ("automotive", "biomed_health", "smart_robots", "new_energy")
CASES = {
    "none": dict(clusters=()),
    "one": dict(clusters=("automotive",)),
    "four": dict(clusters=FOUR),
    "all20": dict(clusters="ALL"),
    "empty-explicit": dict(clusters=("electronic_info",)),
    "empty-all": dict(clusters=("electronic_info",), basis="all"),
}


def make(policy, rows, case, lang):
    kw = dict(CASES[case])
    if kw["clusters"] == "ALL":
        kw["clusters"] = tuple(policy.clusters)
    return build_scene(policy, rows, ViewState(lang=lang, **kw))


def legend_labels(scene) -> list[str]:
    return [e.label for s in scene.legend for e in s.entries]


def colours_by_meaning(scene) -> dict[str, set[str]]:
    """Every colour the view paints, with what it means."""
    out: dict[str, set[str]] = {}

    def add(color, meaning):
        out.setdefault(color.lower(), set()).add(meaning)

    add(SEA_COLOR, "sea")
    add(CONTEXT_FILL, "neighbours")
    for a in scene.city_names:
        add(scene.city_fill(a), f"coverage class {scene.coverage_colors[a]}" if scene.coverage_drawn else "land")
    if scene.zoning_mode == "fill":
        for z, area in scene.zone_fills.items():
            add(area.fill, f"zone {z}")
    for g in scene.visible_glyphs():
        add(g.color, f"cluster {g.cluster_id}")
    return out


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("case", list(CASES))
def test_scene_names_every_selected_cluster_and_draws_every_pair(policy, rows, case, lang):
    scene = make(policy, rows, case, lang)
    selected = scene.visible_clusters
    labels = " ".join(legend_labels(scene))
    notes = " ".join(n.text for n in scene.notes)
    for cid in selected:
        # A cluster with a glyph has its chip in the legend; one without, a note saying why.
        named = labels if scene.cluster(cid).drawn_cities else notes
        assert i18n.cluster_name(policy, cid, lang) in named, (cid, labels)
        if not scene.cluster(cid).drawn_cities:
            assert i18n.cluster_name(policy, cid, lang) not in labels
    # every designated (cluster, city) pair of the data at this basis has a glyph
    sel = select(rows, scene.basis, "all")
    pairs = set(zip(sel["cluster_id"], sel["adcode"]))
    want = {(c, a) for c, a in pairs if c in selected}
    got = {(g.cluster_id, g.adcode) for g in scene.visible_glyphs()}
    assert got == want
    # and every (cluster, city, role) too, hollow exactly when no named designation gives that role
    roles = {}
    for r in sel.itertuples():
        if r.cluster_id in selected:
            k = (r.cluster_id, r.adcode, r.role)
            roles[k] = "explicit" if "explicit" in (roles.get(k), r.basis) else "region"
    assert {(g.cluster_id, g.adcode, g.role): g.basis for g in scene.visible_glyphs()} == roles


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("case", list(CASES))
def test_no_colour_means_two_things(policy, rows, case, lang):
    scene = make(policy, rows, case, lang)
    clashes = {c: m for c, m in colours_by_meaning(scene).items() if len(m) > 1}
    assert not clashes
    assert LAND_COLOR.lower() != SEA_COLOR.lower()
    # Guangdong's land is never painted in the sea colour
    assert all(scene.city_fill(a).lower() != SEA_COLOR.lower() for a in scene.city_names)
    # cluster colours are all distinct, and none is a coverage or zone colour
    cluster_colours = [c.color.lower() for c in scene.clusters]
    assert len(set(cluster_colours)) == len(cluster_colours)
    assert not set(cluster_colours) & {c.lower() for c in scene.coverage_colors.values()}
    assert not set(cluster_colours) & {a.fill.lower() for a in scene.zone_fills.values()}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_titles_name_what_is_shown(policy, rows, lang):
    name = lambda c: i18n.cluster_name(policy, c, lang)  # noqa: E731
    assert name("automotive") in make(policy, rows, "one", lang).title
    two = build_scene(policy, rows, ViewState(clusters=("automotive", "new_energy"), lang=lang))
    assert name("automotive") in two.title and name("new_energy") in two.title
    four = make(policy, rows, "four", lang).title
    assert all(name(c) in four for c in FOUR)
    five = build_scene(policy, rows, ViewState(clusters=(*FOUR, "semiconductors"), lang=lang)).title
    assert "5" in five
    cov = make(policy, rows, "none", lang)
    assert cov.coverage_drawn
    # One verb for a city hosting a cluster (布局, the document's own word); the basis is
    # the subtitle's to say, not the title's again.
    assert ("布局" in cov.title and "集群数" in cov.title) if lang == "zh" else "hosted per city" in cov.title
    assert "覆盖" not in cov.title and t(f"basis_{cov.basis}", lang) in cov.subtitle
    assert not any(w in cov.title for w in ("明确点名", "named cities", "region-level"))
    zoning = build_scene(policy, rows, ViewState(coverage=False, lang=lang))
    assert zoning.zoning_mode == "fill" and ("一核一带一区" in zoning.title)
    # The zoning alone does not depend on the basis, so its subtitle does not name one.
    basis_words = {t(f"basis_{b}", lang) for b in ("explicit", "all")}
    assert not any(w in zoning.subtitle for w in basis_words), zoning.subtitle
    cov = build_scene(policy, rows, ViewState(lang=lang))
    assert t("basis_explicit", lang) in cov.subtitle


def test_empty_cluster_notes(policy, rows):
    ex = make(policy, rows, "empty-explicit", "zh")
    assert not ex.visible_glyphs()
    (note,) = [n for n in ex.notes if n.action == "basis_all"]
    assert "珠江东岸" in note.text and "粤东粤西粤北" in note.text
    # Print says what the document does; only where a reader can act is there an instruction.
    assert "选择" not in note.text and note.interactive_text == note.text + "选择“明确点名＋区域性提及”即可显示。"
    en = make(policy, rows, "empty-explicit", "en")
    (note_en,) = [n for n in en.notes if n.action == "basis_all"]
    assert note_en.text.endswith(").") and note_en.interactive_text.endswith(". Choose “named + region-level” to show them.")
    # The map says its fact once: a note, no chip for a cluster it does not draw, and no
    # "cities without a glyph" note on a map without glyphs.
    assert not any("新一代电子信息" in x for x in legend_labels(ex))
    assert sum("新一代电子信息" in n.text for n in ex.notes) == 1
    assert not any(s.note == t("no_glyph", "zh") for s in ex.legend)
    al = make(policy, rows, "empty-all", "en")
    assert al.visible_glyphs() and all(g.basis == "region" for g in al.visible_glyphs())
    assert not [n for n in al.notes if n.action]
    agri = build_scene(policy, rows, ViewState(clusters=("agri_food",), basis="all", lang="en"))
    assert any("designates no city or region" in n.text for n in agri.notes)


def test_rules_of_the_view(policy, rows):
    s = build_scene(policy, rows, ViewState())
    assert s.coverage_drawn and s.zoning_mode == "outline" and s.tint_cluster is None
    one = make(policy, rows, "one", "zh")
    assert not one.coverage_drawn and one.tint_cluster == "automotive"
    assert any(n.layers == ("coverage",) for n in one.notes)  # says the shading is hidden
    four = make(policy, rows, "four", "zh")
    assert four.tint_cluster is None
    assert {s.id for s in four.legend} >= {"clusters", "roles", "zoning_outline"}
    assert "coverage" not in {s.id for s in four.legend}
    bare = build_scene(policy, rows, ViewState(coverage=False, zoning=False))
    assert bare.zoning_mode is None and not bare.legend


def test_glyph_columns_pack_compactly():
    assert [glyph_columns(n) for n in (1, 2, 3, 4, 8, 19)] == [1, 2, 3, 3, 4, 7]
    for n in range(1, 25):
        cols = glyph_columns(n)
        rows = -(-n // cols)
        assert cols >= rows and cols * rows >= n


def test_one_cluster_tint_never_reads_as_sea(policy, rows):
    """A thin tint of a light cluster colour over the land must not look like the sea."""
    from views.style import TINT_ALPHA, blend, tint_color

    def dist(a, b):
        return sum((int(a[i:i + 2], 16) - int(b[i:i + 2], 16)) ** 2 for i in (1, 3, 5)) ** 0.5

    for c in build_scene(policy, rows, ViewState()).clusters:
        for alpha in (a for a in TINT_ALPHA.values() if a > 0):
            tinted = blend(tint_color(c.color), LAND_COLOR, alpha)
            assert dist(tinted, SEA_COLOR) > 25, (c.id, c.color, tinted)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_tier_filters_what_the_map_draws(policy, rows, lang):
    """With 类别 = pillar, a ticked emerging cluster is neither drawn, nor in the legend, nor
    counted towards the mode, and a note says so (the city panel counts the same way)."""
    pillar, emerging = "automotive", "new_energy"
    scene = build_scene(policy, rows, ViewState(lang=lang, tier="pillar", clusters=(pillar, emerging)))
    assert scene.visible_clusters == (pillar,)
    assert {g.cluster_id for g in scene.visible_glyphs()} == {pillar}
    assert scene.mode() == build_scene(policy, rows, ViewState(lang=lang, clusters=(pillar,))).mode()
    assert i18n.cluster_name(policy, emerging, lang) not in " ".join(legend_labels(scene))
    note = t("tier_hidden", lang, tier=t("tier_pillar", lang))
    assert any(n.text == note for n in scene.notes)
    assert all(c.id != emerging for c, _ in scene.city_items("440600"))
    # All tiers: both are drawn and no note.
    both = build_scene(policy, rows, ViewState(lang=lang, clusters=(pillar, emerging)))
    assert both.visible_clusters == (pillar, emerging) and not any(n.text == note for n in both.notes)


def test_crowded_cities_look_for_room_away_from_their_crowd():
    from views.crowding import directions, placement_order

    # 广州 between 佛山 (west) and 东莞 (east), 深圳 south-east: 佛山 looks west first, 东莞 east.
    points = {"gz": (23.13, 113.26), "fs": (23.02, 113.12), "dg": (23.02, 113.75), "sw": (22.8, 115.4)}
    counts = {"gz": 15, "fs": 12, "dg": 10, "sw": 0}
    d = directions(points, counts)
    assert set(d) == {"gz", "fs", "dg"} and all(len(v) == 16 for v in d.values())
    assert d["fs"][0][0] < -0.5 and d["dg"][0][0] > 0.5  # x: west < 0, east > 0
    assert placement_order(counts, ["sw", "fs", "dg", "gz"]) == ["gz", "fs", "dg"]
