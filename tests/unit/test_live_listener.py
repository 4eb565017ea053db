"""What one live connection is sent: its audience's events in order, and, when the client
reads too slowly, a bounded backlog that ends in close 4002 (reconnect with ``since``)
instead of memory that grows without end or a stall for everyone else."""

from __future__ import annotations

from tms_adapters.realtime.hub import CLOSE_SIGN_IN_ENDED, CLOSE_TOO_SLOW, Close, Listener
from tms_domain.kernel import Audience, StoredEvent


def event(event_id: int, *, to: frozenset[int] = frozenset({7})) -> StoredEvent:
    return StoredEvent("user_updated", {"user_id": 7}, Audience(to), id=event_id)


def test_a_listener_wants_its_audience_only() -> None:
    trainee = Listener(user_id=7, sees_everything=False, sign_in_id="a")
    other = Listener(user_id=8, sees_everything=False, sign_in_id="b")
    admin = Listener(user_id=1, sees_everything=True, sign_in_id="c")
    news = event(1)
    assert trainee.wants(news)
    assert not other.wants(news)
    assert admin.wants(news)
    assert not admin.wants(StoredEvent("internal.sign_ins_ended", {}, Audience(), id=2))


def test_events_wait_in_order_and_wake_the_sender() -> None:
    woken: list[int] = []
    listener = Listener(user_id=7, sees_everything=False, sign_in_id="a", limit=10)
    listener.wake = lambda: woken.append(len(listener.pending))
    for event_id in (1, 2, 3):
        listener.offer(event(event_id))
    assert [e.id for e in listener.pending if isinstance(e, StoredEvent)] == [1, 2, 3]
    assert woken == [1, 2, 3]


def test_a_client_too_far_behind_is_closed_with_4002_and_the_backlog_dropped() -> None:
    listener = Listener(user_id=7, sees_everything=False, sign_in_id="a", limit=3)
    for event_id in range(1, 4):
        listener.offer(event(event_id))
    listener.offer(event(4))
    assert listener.closing
    assert listener.pending == [
        Close(CLOSE_TOO_SLOW, "Too far behind: reconnect with since=<the last id you received>")
    ]
    listener.offer(event(5))
    assert len(listener.pending) == 1, "nothing is queued once the connection is closing"


def test_closing_sends_what_waits_first_and_closes_once() -> None:
    listener = Listener(user_id=7, sees_everything=False, sign_in_id="a", limit=10)
    listener.offer(event(1))
    listener.close(CLOSE_SIGN_IN_ENDED, "Signed out")
    listener.close(CLOSE_TOO_SLOW, "again")
    assert listener.pending == [event(1), Close(CLOSE_SIGN_IN_ENDED, "Signed out")]
