"""The engine: text embedders (embedder) and their cache (cache), the words the text methods embed
(texts), the shared feature space (space), the methods' registry (methods), PCA whitening (whitening),
the per-scenario recommender (recommender), rankings and their divergence (ranking), 2-D maps
(projection), what the Explorer shows for one profile (view) and share links (share)."""
