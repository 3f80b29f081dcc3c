"""Retrieval: what counts as a bad recommendation (marks), rankings and their agreement (ranking), where
product vectors live (stores) and which products carry a feature (carriers), and the per-scenario
recommender that ranks every method for one profile (recommender)."""
