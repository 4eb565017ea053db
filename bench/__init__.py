"""The benchmark suite: `make bench` (python -m bench.run) and `make bench-quick`."""
