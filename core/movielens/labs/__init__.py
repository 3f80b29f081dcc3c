"""Neighbouring problems on the evaluation's MovieLens split: user vectors from history (history),
negative feedback in online updates (feedback), category centroids (categories), EASE (ease), and the
experiments that measure them (experiments)."""
