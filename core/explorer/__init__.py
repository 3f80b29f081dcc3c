"""What the Explorer shows, as pure data: the view state and its link codec (state, links), the panel's
content for one profile (panel) and a slider's sweep for live dragging (sweep). The streamlit adapter is
``ui/explorer.py``; the browser's side is ``ui/live``."""
