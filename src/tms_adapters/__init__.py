"""Adapters: the implementations of the domain's ports over real technology."""
