"""The poster of all clusters, and the export's memory with many policies."""

from __future__ import annotations

import dataclasses
import gc
import tracemalloc
import weakref

import pytest

pytest.importorskip("matplotlib")

from export.data import StaticData, rows_for  # noqa: E402
from export.poster import build_poster, render_poster  # noqa: E402
from views import i18n  # noqa: E402
from views.scene import build_scene  # noqa: E402
from views.state import ViewState  # noqa: E402


@pytest.fixture(scope="module")
def data():
    return StaticData.load()


def _pdf_text(path) -> str:
    from pypdf import PdfReader

    reader = PdfReader(path)
    return reader, "".join(p.extract_text() for p in reader.pages).replace("\n", "").replace(" ", "")


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_poster_pdf_is_one_page_naming_every_cluster(policy, data, tmp_path, lang):
    out = tmp_path / "poster.pdf"
    info = render_poster(policy, out, lang=lang, basis="explicit", data=data)
    reader, text = _pdf_text(out)
    assert len(reader.pages) == 1
    assert info.clusters == list(policy.clusters)  # pillar then emerging, in the policy's order
    for c in policy.clusters.values():
        name = c.name_zh if lang == "zh" else c.name_en
        assert name.replace(" ", "") in text, name
    assert ("示意图" if lang == "zh" else "Schematicmap") in text
    assert i18n.t("pillar", lang).replace(" ", "") in text


@pytest.mark.slow
def test_poster_panels_follow_the_scene(policy, data):
    rows = rows_for(policy)
    empties = {}
    for basis in ("explicit", "all"):
        fig, info = build_poster(policy, basis=basis, dpi=30, data=data)
        empties[basis] = info.empty
        expected = 0
        empty = []
        for cid in policy.clusters:
            scene = build_scene(policy, rows, ViewState(clusters=(cid,), coverage=False, zoning=False, basis=basis))
            expected += len(scene.visible_glyphs())
            c = scene.cluster(cid)
            if not c.drawn_cities:
                empty.append(cid)
            assert c.label in info.panels
        assert info.glyphs == expected
        drawn = [p for ax in fig.axes for p in ax.patches if (p.get_gid() or "").startswith("glyph-")]
        assert len(drawn) == expected
        assert info.empty == empty
        texts = {t.get_gid(): t.get_text() for t in fig.findobj(lambda a: hasattr(a, "get_text")) if t.get_gid()}
        for cid in empty:  # an empty panel says so and names its region terms
            terms = build_scene(policy, rows, ViewState(clusters=(cid,), basis=basis)).cluster(cid).region_terms
            note = texts[f"empty-{cid}"].replace("\n", "")
            assert all(term in note for term in terms)
            (said,) = [n.text for n in build_scene(policy, rows, ViewState(clusters=(cid,), basis=basis)).notes
                       if n.layers == (cid,)]
            assert note == said.replace("\n", "")  # the scene's sentence, once
            for term in terms:
                assert term in note
    assert "electronic_info" in empties["explicit"] and "electronic_info" not in empties["all"]


@pytest.mark.slow  # over 2 s on a busy 2-core machine (see README, Tests and lint)
def test_cli_export_poster(capsys, tmp_path):
    import cli

    out = tmp_path / "p.png"
    code = cli.main(["export-poster", "--out", str(out), "--lang", "en", "--basis", "all", "--dpi", "100"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert out.read_bytes()[:4] == b"\x89PNG" and captured.out.strip() == str(out)
    from PIL import Image

    with Image.open(out) as im:
        assert im.size == (1654, 1169)  # A3 landscape at 100 dpi
    for args, names in ((["--out", str(tmp_path / "p.gif")], [".gif", ".png"]),
                        (["--out", str(tmp_path / "p.png"), "--size", "a5"], ["'a5'", "a3-landscape"]),
                        (["--out", str(tmp_path / "p.png"), "--dpi", "99"], ["'99'", "300"])):
        code = cli.main(["export-poster", *args])
        err = capsys.readouterr().err.strip().splitlines()
        assert code == 2 and len(err) == 1 and all(n in err[0] for n in names), err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p.png"]


@pytest.mark.slow  # over 2 s on a busy 2-core machine (see README, Tests and lint)
def test_poster_bytes_for_the_app(policy, data):
    from export import poster_bytes

    svg = poster_bytes(policy, fmt="svg", lang="zh", basis="all", data=data, dpi=100).decode("utf-8")
    assert "@font-face" in svg and "广东省20个战略性产业集群布局总览" in svg


def _renamed(policy, i: int):
    auto = policy.clusters["automotive"]
    return dataclasses.replace(policy, clusters={**policy.clusters,
                                                 "automotive": dataclasses.replace(auto, name_zh=f"汽车{i}")})


def test_exporting_many_policies_keeps_none_of_them(policy, data):
    """Exports of distinct policies keep none of them alive (whatever the export path caches),
    and the designation rows' cache, which is keyed by content, does not grow with them."""
    from export.data import _ROWS_MAX
    from export.render import build_figure

    state = ViewState(clusters=("automotive",), coverage=False, zoning=False)
    refs = []
    for i in range(4):  # whole exports: nothing on their path holds a policy
        p = _renamed(policy, i)
        refs.append(weakref.ref(p))
        fig, info = build_figure(p, state, size="screen", dpi=10, data=data)
        assert f"汽车{i}" in info.title
        del fig, p
    gc.collect()
    assert sum(r() is not None for r in refs) == 0

    # The cache itself, traced: first as many policies as it holds, so every entry in it is
    # traced, then more than that again, so every entry in it at the first reading is evicted.
    filled, measured = _ROWS_MAX, _ROWS_MAX + 2
    policies = [_renamed(policy, i) for i in range(10, 10 + filled + measured)]
    rows_for(policies[0])  # first-use allocations
    tracemalloc.start()
    try:
        for p in policies[:filled]:
            rows_for(p)
        gc.collect()
        before = tracemalloc.get_traced_memory()[0]
        for p in policies[filled:]:
            rows_for(p)
        gc.collect()
        after = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    refs = [weakref.ref(p) for p in policies]
    del policies, p
    gc.collect()
    assert sum(r() is not None for r in refs) == 0  # the cache keeps no policy either
    # Less than 50 KB per further policy (an id()-keyed cache kept ~0.3 MB of rows each).
    assert after - before < measured * 50_000, (before, after)
