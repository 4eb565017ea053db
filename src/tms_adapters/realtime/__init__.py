"""Delivery of committed domain events to live connections, within and across processes."""
