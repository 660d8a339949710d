"""Nothing on the map covers what it explains, measured in Chromium from the DOM.

- The legend is a strip under the map, never on it: its box and the map's do not meet, at
  1400x1000 and on a phone (390x844), zh and en, with 4 and with 20 clusters on; on a
  phone it starts folded, so Guangdong is all map.
- The hover tooltip and the open layer control are on top (elementFromPoint at their
  centre is inside them).
- At the opening view of 1400x1000 with all 20 clusters on, no two glyphs overlap by more
  than 20 % of the smaller, and no glyph covers a city's name: crowded cities' glyphs move
  out as cards joined to their city by a leader line, each headed with the city's name;
  广州's card sits by its name, its leader short and crossing no other card or name.
- On a phone (390x844), where the blocks do not all fit under their names, each city shows
  a badge with its number of clusters instead (no glyph, no card); tapping one opens that
  city's card, one at a time, and the same counts hold for the badges and the open card.

The map is the standalone (offline) HTML file: the script and data are those the app serves."""

import pytest

from geo.boundaries import load_cities, load_context
from layers.map import MapData, build_map
from views.state import ViewState

playwright = pytest.importorskip("playwright.sync_api")
pytestmark = pytest.mark.browser

FOUR = ("automotive", "biomed_health", "smart_robots", "new_energy")
WIDE, PHONE = (1400, 1000), (390, 844)


@pytest.fixture(scope="module")
def map_data(policy):
    return MapData.build(load_cities(), load_context(), policy)


@pytest.fixture(scope="module")
def open_map(browser, tmp_path_factory, policy, rows, map_data):
    pages = []
    folder = tmp_path_factory.mktemp("legend")

    def open_(lang, clusters, viewport, tier="all"):
        state = ViewState(lang=lang, tier=tier, clusters=tuple(policy.clusters) if clusters == "all" else clusters)
        path = folder / f"map-{lang}-{len(state.clusters)}-{tier}.html"
        if not path.exists():
            path.write_text(build_map(policy, rows, map_data, state, assets="inline").get_root().render(),
                            encoding="utf-8")
        ctx = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]})
        page = ctx.new_page()
        page.route("**/*", lambda r: r.continue_() if r.request.url.startswith(("file:", "data:")) else r.abort())
        page.goto(path.as_uri())
        page.wait_for_function("window.gdApplyView && document.querySelectorAll('path.leaflet-interactive').length >= 21"
                               " && document.querySelector('.gd-legend-toggle')")
        pages.append(ctx)
        return page

    yield open_
    for ctx in pages:
        ctx.close()


BOXES = """() => {
  const box = e => { const r = e.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; };
  const map = document.querySelector('.leaflet-container');
  const land = [...map.querySelectorAll('path.leaflet-interactive')].map(box);
  return {
    map: box(map), legend: box(document.querySelector('.gd-legend')),
    land: [Math.min(...land.map(b => b[0])), Math.min(...land.map(b => b[1])),
           Math.max(...land.map(b => b[2])), Math.max(...land.map(b => b[3]))],
    open: document.querySelector('.gd-legend-toggle').getAttribute('aria-expanded'),
    glyphs: [...map.querySelectorAll('.gd-glyphs svg[data-glyph]')].map(box),
    names: [...map.querySelectorAll('.gd-label span[data-city]')].map(e => [e.dataset.city, e.textContent, box(e)]),
    cards: [...map.querySelectorAll('.gd-card')].map(c => c.querySelector('.gd-glyphs').dataset.city),
    cardHeads: [...map.querySelectorAll('.gd-card-head')].map(e => e.textContent),
    cardBoxes: [...map.querySelectorAll('.gd-card')].map(c => [c.dataset.city, box(c)]),
    badges: [...map.querySelectorAll('.gd-badge-box')].map(b => [b.dataset.city, b.textContent, box(b)]),
    blocks: [...map.querySelectorAll('.gd-glyphs')].map(b => [b.dataset.city, box(b)]),
  };
}"""


def area(b):
    return max(0.0, b[2] - b[0]) * max(0.0, b[3] - b[1])


def meet(a, b):
    return [max(a[0], b[0]), max(a[1], b[1]), min(a[2], b[2]), min(a[3], b[3])]


def crowding(got):
    """(glyph pairs overlapping by more than 20 % of the smaller, (name, glyph) covers)."""
    g = got["glyphs"]
    pairs = [(i, j) for i in range(len(g)) for j in range(i + 1, len(g))
             if area(meet(g[i], g[j])) > 0.2 * min(area(g[i]), area(g[j]))]
    covered = sorted({name for _, name, b in got["names"] for gb in g if area(meet(b, gb)) > 0})
    return pairs, covered


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("clusters", [FOUR, "all"])
@pytest.mark.parametrize("viewport", [WIDE, PHONE])
def test_the_legend_is_never_on_the_map(open_map, lang, clusters, viewport):
    page = open_map(lang, clusters, viewport)
    got = page.evaluate(BOXES)
    assert area(meet(got["legend"], got["map"])) == 0, got
    assert area(meet(got["legend"], got["land"])) == 0, got
    # Both fill the window: the map gives up only the legend's height.
    assert got["legend"][3] <= viewport[1] + 0.5
    assert got["map"][3] - got["map"][1] >= viewport[1] - (got["legend"][3] - got["legend"][1]) - 1
    if viewport == PHONE:
        assert got["open"] == "false"  # folded: nothing but a one-line bar under Guangdong
        assert got["legend"][3] - got["legend"][1] < 40
        # Opened, the sheet takes its room from the map, still beside it, not on it.
        page.click(".gd-legend-toggle")
        page.wait_for_function("document.querySelector('.gd-legend-toggle').getAttribute('aria-expanded') == 'true'")
        opened = page.evaluate(BOXES)
        assert opened["legend"][3] - opened["legend"][1] > 100
        assert area(meet(opened["legend"], opened["map"])) == 0
    else:
        assert got["open"] == "true"
        # The cluster legend is read beside the map, not scrolled: 20 entries in columns.
        assert got["legend"][3] - got["legend"][1] <= 0.34 * viewport[1] + 1


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("clusters", [FOUR, "all"])
def test_the_delta_is_readable_at_the_opening_view(open_map, lang, clusters):
    page = open_map(lang, clusters, WIDE)
    got = page.evaluate(BOXES)
    pairs, covered = crowding(got)
    assert len(got["glyphs"]) >= (100 if clusters == "all" else 20)
    assert pairs == [] and covered == [], (pairs, covered)
    # A card says whose glyphs it holds: headed with that city's name, as the map names it.
    names = {a: text for a, text, _ in got["names"]}
    assert got["cardHeads"] == [names[a] for a in got["cards"]]
    if clusters == "all":
        assert {"440600", "441900"} <= {a for a, _, _ in got["names"]}
        assert got["cards"], "at twenty the delta needs cards"


def leader_of(got, city):
    """The leader of `city`'s card as the map draws it: from the nearest point of the card to
    the city's label point (under its name) back to the nearest point of its name."""
    def nearest(b, p):
        return min(max(p[0], b[0]), b[2]), min(max(p[1], b[1]), b[3])
    name = next(b for a, _, b in got["names"] if a == city)
    card = next(b for a, b in got["cardBoxes"] if a == city)
    end = nearest(card, ((name[0] + name[2]) / 2, name[3]))
    return nearest(name, end), end


def crossed(start, end, boxes):
    """Which of `boxes` ({key: box}) the segment start-end runs through (sampled each px)."""
    n = max(2, int(((end[0] - start[0]) ** 2 + (end[1] - start[1]) ** 2) ** 0.5))
    pts = [(start[0] + (end[0] - start[0]) * i / n, start[1] + (end[1] - start[1]) * i / n) for i in range(1, n)]
    return sorted(k for k, b in boxes.items() if any(b[0] < x < b[2] and b[1] < y < b[3] for x, y in pts))


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_guangzhou_card_sits_by_its_name(open_map, lang):
    """At twenty, 广州's glyphs (the most of any city) are read beside 广州: under its name, or
    on a card whose leader is short and crosses no other card or name."""
    got = open_map(lang, "all", WIDE).evaluate(BOXES)
    if "440100" not in got["cards"]:  # under its name
        block = next(b for a, b in got["blocks"] if a == "440100")
        name = next(b for a, _, b in got["names"] if a == "440100")
        assert 0 <= block[1] - name[3] <= 4 and block[0] < (name[0] + name[2]) / 2 < block[2]
        return
    start, end = leader_of(got, "440100")
    assert ((end[0] - start[0]) ** 2 + (end[1] - start[1]) ** 2) ** 0.5 <= 30, (start, end)
    others = {f"card {a}": b for a, b in got["cardBoxes"] if a != "440100"}
    others.update({f"name {a}": b for a, _, b in got["names"] if a != "440100"})
    assert crossed(start, end, others) == []


def badge_counts(got):
    """(badge pairs that overlap, names a badge covers)."""
    b = [x[2] for x in got["badges"]]
    pairs = [(i, j) for i in range(len(b)) for j in range(i + 1, len(b)) if area(meet(b[i], b[j])) > 0]
    covered = sorted({a for a, _, nb in got["names"] for bb in b if area(meet(nb, bb)) > 0})
    return pairs, covered


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("clusters", [FOUR, "all"])
def test_the_phone_shows_badges_that_open_one_card_at_a_time(open_map, policy, rows, lang, clusters):
    from views.scene import build_scene

    page = open_map(lang, clusters, PHONE)
    got = page.evaluate(BOXES)
    scene = build_scene(policy, rows, ViewState(lang=lang, clusters=tuple(policy.clusters) if clusters == "all"
                                                else clusters))
    want = {}
    for g in scene.visible_glyphs():
        want.setdefault(g.adcode, set()).add(g.cluster_id)
    # Closed: one badge per city with glyphs, saying how many clusters are drawn there; no
    # glyph, no card; no badge on another or on a name.
    assert {a: int(n) for a, n, _ in got["badges"]} == {a: len(c) for a, c in want.items()}
    assert got["glyphs"] == [] and got["cards"] == []
    assert badge_counts(got) == ([], [])
    # Tapped: that city's card, headed with its name, holding every glyph the scene gives it,
    # covering no name and no other badge; the others stay badges.
    names = {a: text for a, text, _ in got["names"]}
    for city in ("440600", "440100"):  # 佛山, then 广州: one card at a time
        page.click(f'.gd-badge-box[data-city="{city}"]')
        page.wait_for_function(f"""() => {{ const c = document.querySelectorAll('.gd-card');
            return c.length === 1 && c[0].dataset.city === '{city}'; }}""")
        opened = page.evaluate(BOXES)
        shown = page.evaluate("() => [...document.querySelectorAll('.gd-card svg[data-glyph]')].map(s => s.dataset.glyph)")
        assert sorted(shown) == sorted(f"{g.key}:{g.look.marker}:{int(g.look.hollow)}" for g in scene.glyphs_at(city))
        assert opened["cardHeads"] == [names[city]]
        assert crowding(opened) == ([], [])
        card = opened["cardBoxes"][0][1]
        assert [n for _, n, b in opened["names"] if area(meet(b, card)) > 0] == []
        assert [a for a, _, b in opened["badges"] if a != city and area(meet(b, card)) > 0] == []
        assert badge_counts(opened) == ([], [])
    # Tapped again, the open card closes: the map is badges only.
    page.click(".gd-card")
    page.wait_for_function("document.querySelectorAll('.gd-card').length === 0")
    assert page.evaluate("document.querySelectorAll('.gd-glyphs svg').length") == 0


def test_the_phone_counts_fail_on_a_pile(open_map):
    """The badge measure itself: every badge forced under its name is a pile the counts see."""
    page = open_map("zh", "all", PHONE)
    page.evaluate("""() => { const place = window.gd.placeBadges;
        window.gd.placeBadges = (cities, names, fixed, size, C) => place(cities, {}, [], {x: 1e6, y: 1e6},
            Object.assign({}, C, {gap: -1e6}));
        window.gdApplyView(window.gdVisible(), null); window.gd.placeBadges = place; }""")
    pairs, covered = badge_counts(page.evaluate(BOXES))
    assert pairs and covered


def test_the_delta_counts_fail_on_a_pile(open_map):
    """The measure itself: with every block forced under its name (no cards), the delta
    at twenty is a pile the counts see."""
    page = open_map("zh", "all", WIDE)
    page.evaluate("""() => { const place = window.gd.placeBlocks;
        window.gd.placeBlocks = (cities, names, fixed, size, C) => place(cities, {}, [], {x: 1e6, y: 1e6},
            Object.assign({}, C, {gap: -1e6}));
        window.gdApplyView(window.gdVisible(), null); window.gd.placeBlocks = place; }""")
    pairs, covered = crowding(page.evaluate(BOXES))
    assert pairs and covered


def test_tooltip_and_layer_control_are_on_top(open_map):
    page = open_map("en", "all", WIDE)
    got = page.evaluate(BOXES)
    # Hover the city whose name is lowest on the map: its tooltip is nearest the legend.
    name = max(got["names"], key=lambda n: n[2][3])
    x, y = (name[2][0] + name[2][2]) / 2, name[2][3] + 2
    page.mouse.move(x, y)
    page.wait_for_selector(".leaflet-tooltip.gd-tip")
    # Leaflet lets clicks pass through a tooltip; take it in for the probe, so whatever is
    # painted over it would answer instead.
    assert page.evaluate("""() => { const t = document.querySelector('.leaflet-tooltip.gd-tip');
        t.style.pointerEvents = 'auto'; const r = t.getBoundingClientRect();
        const top = t.contains(document.elementFromPoint((r.left + r.right) / 2, (r.top + r.bottom) / 2));
        t.style.pointerEvents = ''; return top; }""")
    page.mouse.move(700, 2)
    toggle = page.locator(".leaflet-control-layers-toggle").bounding_box()
    page.mouse.move(toggle["x"] + toggle["width"] / 2, toggle["y"] + toggle["height"] / 2)
    page.wait_for_selector(".leaflet-control-layers-expanded")
    on_top = page.evaluate("""() => { const c = document.querySelector('.leaflet-control-layers-list');
        const r = c.getBoundingClientRect();
        const pts = [[(r.left + r.right) / 2, (r.top + r.bottom) / 2], [(r.left + r.right) / 2, r.bottom - 4]];
        return pts.map(p => c.contains(document.elementFromPoint(p[0], p[1]))); }""")
    assert on_top == [True, True]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_app_opening_view_at_twenty(page, app_server, policy, rows, lang):
    """The app at 1400x1000, all 20 on, as first painted: the delta is readable, the
    legend is under the map, and 佛山 and 东莞 show every glyph the scene gives them."""
    from testing.browser import poll, wait_for_map
    from views.scene import build_scene

    page.goto(app_server.url + f"?lang={lang}&clusters=all")
    frame = wait_for_map(page, 21)
    frame.wait_for_function("document.querySelectorAll('.gd-glyphs svg[data-glyph]').length >= 100")
    state = {}

    def settled():  # the first view is redrawn once the served style sheets have arrived
        state["got"] = got = frame.evaluate(BOXES)
        state["crowd"] = crowding(got)
        return state["crowd"] == ([], [])

    poll(page, settled, lambda: f"the delta is a pile: {state.get('crowd')}")
    got = state["got"]
    assert area(meet(got["legend"], got["map"])) == 0
    scene = build_scene(policy, rows, ViewState(lang=lang, clusters=tuple(policy.clusters)))
    for city in ("440600", "441900"):  # 佛山, 东莞
        shown = frame.evaluate(f"""() => [...document.querySelectorAll('.gd-glyphs[data-city="{city}"] svg')]
            .map(s => s.dataset.glyph)""")
        want = [f"{g.key}:{g.look.marker}:{int(g.look.hollow)}" for g in scene.glyphs_at(city)]
        assert sorted(shown) == sorted(want) and len(want) >= 10


@pytest.mark.parametrize("tier", ["pillar", "emerging"])
def test_the_tier_filters_the_glyphs_on_the_map(open_map, policy, rows, tier):
    """类别 filters the map as it does the city panel: with every cluster ticked, only the
    tier's glyphs are drawn and in the legend, and a note says why the others are not."""
    from views import i18n
    from views.scene import build_scene

    page = open_map("zh", "all", WIDE, tier=tier)
    got = page.evaluate("""() => ({
        glyphs: [...document.querySelectorAll('.gd-glyphs[data-city] svg[data-glyph]')].map(
            g => g.closest('.gd-glyphs').dataset.city + ':' + g.dataset.glyph),
        legend: document.querySelector('.gd-legend').innerText})""")
    scene = build_scene(policy, rows, ViewState(lang="zh", tier=tier, clusters=tuple(policy.clusters)))
    want = sorted(f"{g.adcode}:{g.key}:{g.look.marker}:{int(g.look.hollow)}" for g in scene.visible_glyphs())
    keys = {int(g.split(":")[1]) for g in got["glyphs"]}
    assert sorted(got["glyphs"]) == want
    assert keys and keys <= (set(range(1, 11)) if tier == "pillar" else set(range(11, 21)))
    other = "emerging" if tier == "pillar" else "pillar"
    assert all(i18n.cluster_name(policy, c, "zh") not in got["legend"]
               for c in policy.clusters if policy.clusters[c].tier == other)
    assert i18n.t("tier_hidden", "zh", tier=i18n.t(f"tier_{tier}", "zh")) in got["legend"]


@pytest.mark.parametrize("viewport", [WIDE, PHONE])
def test_a_popup_fits_the_map_and_the_tooltip_does_not_repeat_it(open_map, viewport):
    page = open_map("zh", FOUR, viewport)
    got = page.evaluate(BOXES)
    name = next(n for n in got["names"] if n[0] == "440100")  # 广州
    # On its name (names let the pointer through to the city; a phone's badge may sit just above it)
    x, y = (name[2][0] + name[2][2]) / 2, (name[2][1] + name[2][3]) / 2
    page.mouse.move(x, y)
    page.wait_for_selector(".leaflet-tooltip.gd-tip")
    page.mouse.click(x, y)
    page.wait_for_selector(".leaflet-popup-content .gd-popup")
    page.mouse.move(x + 1, y + 1)  # still over the city: the tooltip would show again
    popup = page.locator(".leaflet-popup-content-wrapper").bounding_box()
    assert popup["width"] <= viewport[0] - 20, popup
    assert page.evaluate("""() => [...document.querySelectorAll('.leaflet-tooltip.gd-tip')]
        .every(t => getComputedStyle(t).display === 'none')""")
    # Nothing covers the popup: its close button (top right, by the map's controls) takes the click.
    page.click(".leaflet-popup-close-button")
    page.wait_for_selector(".leaflet-popup", state="detached")
    # Closed, the tooltip is back (over the city, wherever opening the popup panned it to).
    name = next(n for n in page.evaluate(BOXES)["names"] if n[0] == "440100")
    page.mouse.move((name[2][0] + name[2][2]) / 2, (name[2][1] + name[2][3]) / 2)
    page.wait_for_function("""() => [...document.querySelectorAll('.leaflet-tooltip.gd-tip')]
        .some(t => getComputedStyle(t).display !== 'none')""")
