"""Real ratings: the data on disk (data), the evaluation protocol (protocol), metrics with intervals and
paired verdicts (metrics), every method evaluated (evaluate), and neighbouring problems (labs)."""
