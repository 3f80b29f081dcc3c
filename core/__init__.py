"""Signed Affinity Explorer: the pure-Python engine (never imports streamlit).

Data flows, and imports go, one way (a test holds this):

    numeric, errors                   shared rules, imported by everything
    scenarios/                        what goes in: pydantic models, JSON/CSV io, presets, synthetic
      -> engine/                      embedder + cache, methods, whitening, recommender, ranking, maps, links
        -> diagnostics/               each claim of the article as numbers, and readings
        -> movielens/                 real ratings: data, protocol, metrics, evaluation
          -> movielens/labs/          neighbouring problems on the same split
            -> cli.py                 python -m core ...
"""
