"""HTTP endpoints of the audit area."""
