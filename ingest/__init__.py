"""The upload toolkit: what every loader of an untrusted file shares.

`policy.userdata` (designations) and `geo.userboundaries` (boundaries) use the
same pieces, so a file is judged by one set of rules whatever its kind:

* `ingest.caps` — every limit in one place;
* `ingest.report` — one problem type and one report (linear de-duplication,
  a capped list that ends in "and N more");
* `ingest.messages` — every message about a file, in Chinese and English: a
  `Msg` is its English text and renders in either language on demand;
* `ingest.text` — the decoding ladder, text checks (control and bidi
  characters), spreadsheet-formula neutralising and value shortening;
* `ingest.zipguard` — one zip check for XLSX workbooks and zipped Shapefiles;
* `ingest.cities` — one city matcher (traditional characters, full-width
  digits, numeric adcodes such as 440100.0);
* `ingest.budget` — a worker process with a wall-clock and a memory limit, and
  its fair queue (the `uploads` package runs the loaders in it);
* `ingest.readfile` — the bounded reading of a `--designations` path.

This package sits below `policy/` and `geo/` and imports neither.
"""
