"""The skills area's use cases (one module per capability)."""
