"""The view state and its presentation rules, shared by the interactive map and
the static export so that both draw the same thing: which layers are on, class
breaks and colours, titles and labels in both languages. No Folium, no Streamlit."""
