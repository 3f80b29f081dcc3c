"""Models and the embedding cache: which models exist (models), how each loads offline with its weights
checked (backends), the :class:`~core.embedding.embedder.Embedder` protocol (embedder) and the
content-addressed cache in front of every model (cache)."""
