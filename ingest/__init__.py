"""Documents -> clauses -> index."""
