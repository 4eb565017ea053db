"""A notification across two `tms serve` processes on MariaDB, sharing Redis (live events,
and the SAQ jobs backend whose jobs two `tms worker` processes run): a trainee connected to
instance B hears the `notification` event when an admin on instance A enrols them, once;
its mail reaches the SMTP server (aiosmtpd) exactly once; both instances list it.

Needs MariaDB and Redis: skipped without them, failed under TMS_REQUIRE_SERVICES."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest
import redis
from test_http_notifications import (
    ADMIN_PASSWORD,
    PUBLIC_URL,
    SECRET_KEY,
    Live,
    Mailbox,
    api_of,
)
from test_mail_delivery_once import assert_once_each, workers_of
from test_realtime import redis_url

import servers
from servers import TmsServer, running
from smtp_server import RecordingHandler, smtp_server
from tms_adapters.persistence.sql import migrations as schema

pytestmark = [pytest.mark.mariadb, pytest.mark.redis, pytest.mark.timeout(300)]

SETTLE_SECONDS = 3.0


async def test_an_enrolment_on_one_instance_is_heard_on_the_other_mailed_once_listed_on_both(
    mariadb_url: str, tmp_path: Path
) -> None:
    shared = redis_url()
    await schema.upgrade(mariadb_url)
    handler = RecordingHandler()
    try:
        with smtp_server(handler) as smtp_port:
            env = servers.server_env(
                mariadb_url,
                tmp_path,
                secret_key=SECRET_KEY,
                admin_password=ADMIN_PASSWORD,
                TMS_REDIS_URL=shared,
                TMS_JOBS_BACKEND="saq",
                TMS_PUBLIC_URL=PUBLIC_URL,
                TMS_SMTP_HOST="127.0.0.1",
                TMS_SMTP_PORT=str(smtp_port),
                TMS_SMTP_SECURITY="none",
                TMS_JOBS_POLL_MS="100",
                # Slow on purpose: only Redis can carry the event from A to B this fast.
                TMS_EVENT_POLL_MS="5000",
                TMS_LOG_LEVEL="WARNING",
            )
            first, second = TmsServer(env, tmp_path), TmsServer(env, tmp_path)
            with running(first), running(second), workers_of(env, tmp_path) as workers:
                # SAQ runs jobs in `tms worker` processes: two, draining one queue.
                workers.start()
                workers.start()
                async with api_of(first) as on_a, api_of(second) as on_b:
                    trainer = await on_a.user("trainer")
                    trainee = await on_a.user("trainee")
                    session_id = await on_a.session(trainer, 2)
                    listener = await Live.open(second, trainee)
                    try:
                        enrolled = time.monotonic()
                        await on_a.call("POST", f"/sessions/{session_id}/trainees/{trainee.id}")
                        (pushed,) = await listener.wait_notifications(1, timeout=4)
                        heard_after = time.monotonic() - enrolled
                        await Mailbox(handler).wait(trainee.email, 1, timeout=120)
                        await asyncio.sleep(SETTLE_SECONDS)
                        assert len(listener.notifications()) == 1, "heard once"
                    finally:
                        await listener.close()
                    assert pushed["type"] == "session_assigned"
                    assert pushed["link"] == f"/sessions/{session_id}"
                    assert heard_after < 4, "within the 5 s poll: carried by Redis"
                    for api in (on_a, on_b):
                        (listed,) = await api.told(trainee)
                        assert (listed["id"], listed["kind"]) == (pushed["id"], "session_assigned")

        assert_once_each(handler, [trainee.email])
        (mail,) = handler.received
        assert str(mail.message["Subject"]) == "You were enrolled in a session: Forklift safety"
        assert mail.message["List-Unsubscribe"] == f"<{PUBLIC_URL}/app/preferences>"
        print(f"\nnotification heard on the other instance {heard_after * 1000:.0f} ms after")
    finally:
        client = redis.Redis.from_url(shared)
        client.flushdb()
        client.close()
