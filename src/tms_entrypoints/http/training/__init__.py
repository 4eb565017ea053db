"""HTTP endpoints of the training area."""
