"""Text from an uploaded file is data: it never runs, and it comes out exactly as written.

The payloads sit in every text field of a designations file (cluster names, the place,
the role and the clause). The map is rendered both ways the app renders it: the offline
HTML file (branca renders the whole page) and the app's component script
(streamlit-folium's string, which rewrites the script with regular expressions)."""

import csv
import html
import io
import json
import re

import pytest
import streamlit_folium as sf

from geo.boundaries import load_cities, load_context
from layers.elements import html_text, js_data
from layers.map import MapData, build_map
from policy.coverage import designation_rows
from policy.userdata import load_designations
from views.state import ViewState

# lipsum is a global of every Jinja template; if any text were compiled as a template,
# this would create the folder "generate_lorem_ipsum" in the working directory.
CANARY = "{{ lipsum.__globals__.os.mkdir(lipsum.__name__) }}"
PAYLOADS = {
    "cluster_zh": "恶意{{7*7}}集群{% raw %}",
    "cluster_en": "Evil {# c #} {{'map_div'}} ]]> cluster",
    "place_zh": "广州{%- if 1 %}x{% endif %}",
    "role_zh": "核心</script><script>document.title='pwned'</script>",
    "quote": f"原文 {CANARY} alert(coords); <!-- ]]> {{{{ config }}}} 100% #1 a  b",
}
HEADER = ["cluster_id", "cluster_zh", "cluster_en", "tier", "place_zh", "city_zh", "adcode", "role_zh", "role",
          "basis", "quote"]
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')


def hostile_csv() -> bytes:
    out = io.StringIO()
    w = csv.DictWriter(out, fieldnames=HEADER)
    w.writeheader()
    w.writerow(dict(cluster_id="evil", tier="pillar", city_zh="广州", adcode="440100", role="core",
                    basis="explicit", **PAYLOADS))
    return out.getvalue().encode("utf-8")


@pytest.fixture(scope="module")
def hostile(policy):
    res = load_designations(hostile_csv(), "hostile.csv", policy, "replace")
    assert res.policy is not None, [p.as_msg().render("en") for p in res.problems]
    return res.policy


@pytest.fixture(scope="module")
def map_data(policy):
    return MapData.build(load_cities(), load_context(), policy)


def decoded_strings(page: str) -> list[str]:
    """Every string literal of the page's scripts as the browser reads it: JSON-decoded,
    then (for the HTML pieces the scripts insert) with character references resolved."""
    out = []
    for lit in _STRING.findall(page):
        try:
            value = json.loads(lit)
        except ValueError:
            continue
        out.append(html.unescape(value))
    return out


def renders(hostile, map_data, lang):
    state = ViewState(clusters=tuple(hostile.clusters), lang=lang, basis="all", city="440100")
    rows = designation_rows(hostile)
    offline = build_map(hostile, rows, map_data, state, assets="inline").get_root().render()
    m = build_map(hostile, rows, map_data, state)
    m.get_root().render()
    component = sf._get_map_string(m) + sf._get_header(m) + sf._get_html(m)
    return {"offline": offline, "component": component}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_template_syntax_in_data_is_never_evaluated(hostile, map_data, lang, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for kind, page in renders(hostile, map_data, lang).items():
        assert not (tmp_path / "generate_lorem_ipsum").exists(), f"{kind}: the canary ran"
        assert "恶意49集群" not in page, kind
        texts = "\n".join(decoded_strings(page))
        name = PAYLOADS["cluster_zh" if lang == "zh" else "cluster_en"]
        assert name in texts, f"{kind}: the cluster name is not there as written"
        for field in ("place_zh", "role_zh", "quote"):
            assert PAYLOADS[field] in texts, f"{kind}: {field} is not there as written"
        # and nothing of it is page markup or template text in the raw bytes
        for raw in ("</script><script>", "{{7*7}}", "{% raw %}", "{#", "]]>", "alert(coords);"):
            assert raw not in page, f"{kind}: {raw!r} reached the page unescaped"


def test_helpers_escape_what_templates_and_parsers_read():
    text = "{{x}} {%y%} {#z#} </script> ]]> alert(coords); 'q' \"d\" & 100%"
    for out in (js_data({"k": [text]}), html_text(text)):
        for raw in ("{{", "{%", "{#", "</", "]]>", "alert(", "'", "&q", "%"):
            assert raw not in out
    assert json.loads(js_data({"k": [text]})) == {"k": [text]}
    assert html.unescape(html_text(text)) == text
    # JSON structure (objects in arrays, nested objects) keeps its meaning
    value = [{"a": {"b": [1, {"c": "}}"}]}}, "{%"]
    assert json.loads(js_data(value)) == value
