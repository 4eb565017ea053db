"""HTTP endpoints of the reporting area."""
