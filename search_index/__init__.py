"""The search projection (Whoosh)."""
