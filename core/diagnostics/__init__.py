"""Each claim of the article measured: sign and magnitude (sign), truncation, near-synonyms (synonyms),
PCA variance (variance), raw injection (injection), tanh compression (tanh); one sentence per measure
computed from its numbers (readings); everything on one scenario (report)."""
