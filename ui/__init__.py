"""The Streamlit user interface: the only package (with app.py) that imports Streamlit.

- `resources`: data loaded once per process, and a session's own validated uploads
- `session`: the view state in the session, the URL and what the map reports back
- `bridge`: every touchpoint with streamlit-folium
- `sidebar`, `mapview`, `panels`, `downloads`, `uploads`: what the page shows
"""
