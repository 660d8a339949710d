"""Uploads as the app and the command line take them: every file judged in a budgeted worker.

- `uploads.judge` — the one entry point: runs the loaders (policy.userdata,
  geo.userboundaries) in an `ingest.budget` worker and returns a picklable judgement
- `uploads.prepare` — the map data and export data of an accepted boundary file,
  built in the same worker under the same budget

It sits above the loaders it runs (ingest, geo, policy) and the builders it calls
(layers, export), so none of them has to import upwards.
"""
