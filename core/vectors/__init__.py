"""Vectors and methods: the words the text methods embed (texts), what every method shares for one
vocabulary (space), PCA whitening (whitening), a profile as a vector database's examples (examples) and
the registry of methods (methods). Pure arithmetic over embeddings; nothing here stores or ranks."""
