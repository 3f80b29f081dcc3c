"""Streamlit adapters: the only package besides pages/ that imports streamlit."""
