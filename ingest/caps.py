"""Every limit on an uploaded file, in one place (documented in data/templates/README.md
and README "Your own data"). A file over any of them is refused with a message
naming the limit; none of them is ever applied silently."""

from __future__ import annotations

# ---- designations (CSV, XLSX, YAML)
DES_MAX_BYTES = 2_000_000
DES_MAX_ROWS = 5_000  # data rows; nested YAML: (designation, city) pairs
DES_MAX_COLUMNS = 256  # cells in one row, header included; the schema has 11
DES_MAX_CLUSTERS = 200  # distinct cluster ids in one file (the document has 20)
DES_MAX_TEXT = 4_000_000  # characters in all cells together
# Characters per cell, per schema column. The longest clause of the built-in
# document is about 300 characters; a quote may be a whole paragraph.
CELL_MAX = {
    "cluster_id": 64,
    "cluster_zh": 100,
    "cluster_en": 200,
    "tier": 20,
    "place_zh": 200,
    "city_zh": 50,
    "adcode": 20,
    "role_zh": 200,
    "role": 30,
    "basis": 20,
    "quote": 2_000,
}
CELL_MAX_OTHER = 500  # columns outside the schema (ignored, but still read)
# An .xlsx is a zip: a genuine sheet of DES_MAX_ROWS rows compresses 5-10x.
XLSX_EXPANSION = 25

# ---- boundaries (GeoJSON, GeoPackage, zipped Shapefile)
BND_MAX_BYTES = 20_000_000
BND_MAX_FEATURES = 5_000
BND_MAX_LAYERS = 20
# A detailed city outline has tens of thousands of vertices; a few hundred
# thousand in one feature is either an error or an attack on the validity check.
BND_MAX_VERTICES_FEATURE = 250_000
BND_MAX_VERTICES_TOTAL = 2_000_000
# A repair (make_valid) may change a city's area by at most this fraction.
BND_REPAIR_AREA_TOLERANCE = 0.01
# Edges of invalid outlines that cross (or touch) another edge, in all: a sloppy
# digitisation has a handful; a repair of this many takes about a second.
BND_MAX_CROSSINGS = 5_000
# Vertices the map and the export draw, once the cities are simplified to the
# built-in boundaries' detail (those have 7,859): this bounds what the worker
# hands the server and what every page of the map carries.
BND_MAX_MAP_VERTICES = 150_000

# ---- the map approval number (审图号) typed for a published map (ingest.approval)
# Real ones are about 15 characters ("GS(2024)1234号", "粤S(2024)123号"); room for a
# longer form ("GS京(2023)0123号 / 粤S(2024)123号") but not for a paragraph in a footer.
APPROVAL_MAX_CHARS = 40

# ---- zip archives (XLSX and zipped Shapefiles alike)
ZIP_MAX_MEMBERS = 50
ZIP_MAX_UNZIPPED = 100_000_000
ZIP_MAX_RATIO = 100
ZIP_RATIO_MIN_BYTES = 10_000_000  # members smaller than this are not ratio-checked
XLSX_MAX_MEMBERS = 200  # a workbook has a dozen parts; themes, styles, sheets

# ---- messages
MAX_PROBLEMS = 200  # listed; the rest are counted ("and N more")
SHOW_CHARS = 40  # a user value quoted in a message

# ---- the judging budget (per upload, in a worker process)
BUDGET_SECONDS = 30.0
BUDGET_MEMORY = 1_500_000_000  # bytes of address space above the worker's start
# How long an upload waits for a free worker before "the server is busy" (not
# charged to the file): two budgets, so a job behind two others still gets its turn.
BUDGET_QUEUE_SECONDS = 2 * BUDGET_SECONDS
# The largest result a worker may hand the server (the judged file, its map and
# export data: about 20 MB for a file at BND_MAX_MAP_VERTICES).
BUDGET_RESULT_BYTES = 100_000_000
