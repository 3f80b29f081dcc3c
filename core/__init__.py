"""Signed Affinity Explorer: the pure-Python engine (never imports streamlit).

Data flows, and imports go, one way (``tests/test_structure.py`` holds this):

    numeric, errors, wording, jobs    shared rules and thread infrastructure, imported by everything
    scenarios/                        what goes in: pydantic models, JSON/CSV io, presets, synthetic
      -> embedding/                   the models, how each loads offline, the embedding cache
        -> vectors/                   texts, feature space, whitening, examples, the methods' registry
          -> retrieval/               marks, rankings and agreement, vector stores, the recommender
            -> maps/                  2-D maps of each method's space
              -> explorer/            what the Explorer shows: view state, links, panel, drag sweeps
              -> diagnostics/         each claim of the article as numbers, and readings
              -> movielens/           real ratings: data, protocol, metrics, evaluation
                -> movielens/labs/    neighbouring problems on the same split
                  -> cli.py           python -m core ...
"""
