"""The Training Management System's domain core: entities, rules and use cases.

This package imports no framework and does no I/O; everything it needs from the
outside world comes through the ports in :mod:`tms_domain.ports`.
"""
