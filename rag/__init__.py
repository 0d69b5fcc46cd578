"""Index -> answers. Never imports ingest, evals or the UI."""
