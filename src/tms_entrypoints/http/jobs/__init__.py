"""HTTP endpoints of the jobs area."""
