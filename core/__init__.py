"""Signed Affinity Explorer: the pure-Python engine (never imports streamlit)."""
