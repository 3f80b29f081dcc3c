"""2-D maps of each method's space: fitting and placing (projection) and the process-wide store of fitted
maps and their alignments (store)."""
