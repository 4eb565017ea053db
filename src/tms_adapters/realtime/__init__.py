"""Delivery of committed domain events to live listeners."""

from tms_adapters.realtime.local import LocalEventPublisher

__all__ = ["LocalEventPublisher"]
