"""Each map cites exactly the documents of the layers it draws, as the data files word them."""

from __future__ import annotations

import shutil

import matplotlib
import pytest

matplotlib.use("Agg")

from export.data import StaticData  # noqa: E402
from export.render import build_figure  # noqa: E402
from policy import load_policy  # noqa: E402
from policy.model import DATA_DIR, PolicyDataError  # noqa: E402
from views import i18n  # noqa: E402
from views.scene import build_scene  # noqa: E402
from views.state import ViewState  # noqa: E402

CLUSTERS = ViewState(clusters=("automotive",), coverage=False, zoning=False)
ZONING = ViewState(coverage=False, zoning=True)
BOTH = ViewState(clusters=("automotive",), coverage=False, zoning=True)
COVERAGE = ViewState(coverage=True, zoning=False)


@pytest.fixture(scope="module")
def data():
    return StaticData.load()


def squash(s: str) -> str:
    """Text without its white space (the footer wraps its lines)."""
    return "".join(s.split())


def _map_text(policy, state, data) -> str:
    """Every text the printed map draws, joined, without white space."""
    fig, _ = build_figure(policy, state, size="a4-landscape", dpi=30, data=data)
    return squash("".join(t.get_text() for t in fig.findobj(matplotlib.text.Text) if t.get_text()))


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_each_map_names_the_documents_of_its_layers(policy, data, lang):
    clusters, zoning = policy.sources["clusters"], policy.sources["zoning"]
    cite, credit = (lambda src: squash(src.cite(lang))), (lambda src: squash(src.credit(lang)))  # noqa: E731
    only_zoning = _map_text(policy, ZONING.with_(lang=lang), data)
    assert cite(zoning) in only_zoning and credit(zoning) in only_zoning
    assert "82号" not in only_zoning  # the zones do not come from the cluster policy
    for state in (CLUSTERS, COVERAGE):
        text = _map_text(policy, state.with_(lang=lang), data)
        assert cite(clusters) in text and credit(clusters) in text
        assert cite(zoning) not in text and "一核一带一区”区域发展新格局" not in text
    both = _map_text(policy, BOTH.with_(lang=lang), data)
    assert credit(clusters) in both and credit(zoning) in both
    # The bundled boundaries are credited, with their origin in the schematic note.
    from geo.boundaries import load_source

    assert cite(load_source()) in both and squash(load_source().origin(lang)) in both


def test_the_words_come_from_the_data_files(policy, rows, tmp_path):
    """Edit the zoning file's citation: the map says the new words (nothing in code)."""
    data_dir = tmp_path / "data"
    shutil.copytree(DATA_DIR, data_dir)
    path = data_dir / "zoning.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace(
        policy.sources["zoning"].cite_zh, "《测试文件》（2031年）", 1), encoding="utf-8")
    edited = load_policy(data_dir)
    scene = build_scene(edited, rows, ZONING)
    assert "《测试文件》（2031年）" in scene.subtitle


@pytest.mark.parametrize("cut", ["block", "field"])
def test_a_data_file_without_its_source_is_refused(policy, tmp_path, cut):
    data_dir = tmp_path / "data"
    shutil.copytree(DATA_DIR, data_dir)
    path = data_dir / "clusters.yaml"
    text = path.read_text(encoding="utf-8")
    credit = f"  credit_en: {policy.sources['clusters'].credit_en}\n"
    assert credit in text
    if cut == "block":
        text = text.replace("source:\n", "source_gone:\n", 1)
    else:
        text = text.replace(credit, "", 1)
    path.write_text(text, encoding="utf-8")
    with pytest.raises(PolicyDataError, match="clusters.yaml") as err:
        load_policy(data_dir)
    assert ("credit_en" in str(err.value)) if cut == "field" else "`source`" in str(err.value)


def test_user_designations_replace_or_join_the_cluster_document(policy, rows):
    import dataclasses

    replaced = dataclasses.replace(policy, user_source="plan.csv", user_mode="replace")
    beside = dataclasses.replace(policy, user_source="plan.csv", user_mode="beside")
    for lang in ("zh", "en"):
        doc = policy.sources["clusters"].credit(lang)
        r = build_scene(replaced, rows, CLUSTERS.with_(lang=lang))
        assert "plan.csv" in r.source and doc not in r.source and "82号" not in r.subtitle
        b = build_scene(beside, rows, CLUSTERS.with_(lang=lang))
        assert "plan.csv" in b.source and doc in b.source


def test_the_matrix_credits_the_designations_and_the_zoning(policy):
    from export.matrix import MATRIX_LAYERS

    for lang in ("zh", "en"):
        line = i18n.source_line(policy, lang, MATRIX_LAYERS, "none")
        assert policy.sources["clusters"].credit(lang) in line and policy.sources["zoning"].credit(lang) in line
        assert i18n.t("source_of_boundaries", lang, credit="")[:4] not in line  # it draws no boundary


def test_a_map_approval_number_needs_the_users_own_boundaries(policy, rows):
    """审图号 only with boundaries the user supplied: then it replaces the schematic note and
    the footer credits the user's file; with the bundled boundaries it is refused."""
    from geo.boundaries import load_source

    with pytest.raises(ValueError, match="own boundaries"):
        build_scene(policy, rows, CLUSTERS, approval="GS(2024)1234号")
    with pytest.raises(ValueError, match="own boundaries"):
        build_scene(policy, rows, CLUSTERS, boundaries=load_source(), approval="GS(2024)1234号")
    mine = load_source().for_user_file("guangdong-2024.geojson")
    for lang in ("zh", "en"):
        scene = build_scene(policy, rows, CLUSTERS.with_(lang=lang), boundaries=mine, approval="GS(2024)1234号")
        assert scene.print_note == i18n.t("approval_line", lang, number="GS(2024)1234号")
        assert "guangdong-2024.geojson" in scene.source and load_source().cite(lang) not in scene.source
        plain = build_scene(policy, rows, CLUSTERS.with_(lang=lang), boundaries=mine)
        assert "guangdong-2024.geojson" in plain.print_note  # the schematic note names the file's origin
