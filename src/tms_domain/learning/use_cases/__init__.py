"""The learning area's operations, one module each."""
