"""Entry points: the HTTP application, the CLI, and the composition root that wires them."""
