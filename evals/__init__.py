"""Evaluation: datasets of known questions, the runner, metrics and the report."""
