"""The floor for browser timings: a one-slider Streamlit app that prints the value."""

import streamlit as st

value = st.slider("value", -1.0, 1.0, 0.0, step=0.05)
st.write(f"The value is {value:.2f}")
