"""HTTP endpoints of the accounts area."""
