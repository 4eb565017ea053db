"""Accounts by e-mail over the in-memory adapters, with the real outbox mailer: invitations,
forgotten passwords, one-time links, and the notice of every password change."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import FakeClock
from mail_support import bodies, link_token, outbox, run_due_jobs
from support import OTHER_PASSWORD, PASSWORD, add_user, sign_in
from tms_adapters.mail import OutboxMailer
from tms_domain.accounts import Actor, UserChanges
from tms_domain.accounts.links import ENDED_LINK, EXPIRED_LINK, UNKNOWN_LINK, USED_LINK
from tms_domain.accounts.use_cases.users import NewUser
from tms_domain.audit import AuditQuery
from tms_domain.kernel import (
    AuthenticationFailed,
    BadRequest,
    Forbidden,
    InvalidInput,
    Role,
    Throttled,
)
from tms_domain.kernel.jobs import JobStatus
from tms_entrypoints.container import Container

NEW_PASSWORD = "quiet meadow lantern 77"


@pytest.fixture
def mail_dir(memory_container: Container, tmp_path: Path, clock: FakeClock) -> Path:
    directory = tmp_path / "outbox"
    memory_container.mailer.override(
        OutboxMailer(directory, sender="TMS <no-reply@tms.example>", clock=clock)
    )
    return directory


async def admin(container: Container) -> Actor:
    return Actor(user=await add_user(container, "root", Role.ADMIN))


async def invite_new(container: Container, username: str = "newbie") -> int:
    created = await container.users().create_user(
        await admin(container),
        NewUser(
            username=username,
            email=f"{username}@example.org",
            first_name="New",
            last_name="Person",
            role=Role.TRAINEE,
            invite=True,
        ),
    )
    assert created.temporary_password is None
    assert created.invited
    return created.user.id


async def test_an_invitation_mails_a_link_that_sets_the_password_once(
    memory_container: Container, mail_dir: Path
) -> None:
    user_id = await invite_new(memory_container)
    assert outbox(mail_dir) == []  # nothing is sent inside the request
    await run_due_jobs(memory_container)
    [invitation] = outbox(mail_dir)
    assert invitation["To"].addresses[0].addr_spec == "newbie@example.org"
    assert "Training Management System" in invitation["Subject"]
    text, html = bodies(invitation)
    assert "newbie" in text
    assert "newbie" in html
    assert "http://localhost:8002/app/set-password#token=" in text
    token = link_token(invitation)

    await memory_container.password_links().set_password(token, NEW_PASSWORD)
    _token, actor = await sign_in(memory_container, "newbie", NEW_PASSWORD)
    assert actor.id == user_id
    assert not actor.user.is_temporary_password

    with pytest.raises(BadRequest, match=USED_LINK):
        await memory_container.password_links().set_password(token, OTHER_PASSWORD)
    await run_due_jobs(memory_container)
    subjects = {m["Subject"] for m in outbox(mail_dir)}
    assert "Your Training Management System password was set" in subjects
    for message in outbox(mail_dir):
        text, html = bodies(message)
        assert NEW_PASSWORD not in text + html


async def test_a_link_expires_invitations_after_72_hours_resets_after_one(
    memory_container: Container, mail_dir: Path, clock: FakeClock
) -> None:
    await invite_new(memory_container)
    await add_user(memory_container, "forgetful")
    await memory_container.password_links().forgot_password("forgetful@example.org", "10.0.0.1")
    await run_due_jobs(memory_container)
    by_subject = {m["Subject"]: link_token(m) for m in outbox(mail_dir)}
    invitation = by_subject["Your account at Training Management System"]
    reset = by_subject["Set a new password for Training Management System"]
    clock.advance(minutes=61)
    with pytest.raises(BadRequest, match=EXPIRED_LINK):
        await memory_container.password_links().set_password(reset, NEW_PASSWORD)
    clock.advance(hours=70)
    await memory_container.password_links().set_password(invitation, NEW_PASSWORD)


async def test_an_invitation_ends_the_earlier_ones(
    memory_container: Container, mail_dir: Path
) -> None:
    user_id = await invite_new(memory_container)
    await run_due_jobs(memory_container)
    [first] = (link_token(m) for m in outbox(mail_dir))
    await memory_container.password_links().invite(await _root(memory_container), user_id)
    await run_due_jobs(memory_container)
    [second] = {link_token(m) for m in outbox(mail_dir)} - {first}
    with pytest.raises(BadRequest, match=ENDED_LINK):
        await memory_container.password_links().set_password(first, NEW_PASSWORD)
    await memory_container.password_links().set_password(second, NEW_PASSWORD)


async def _root(container: Container) -> Actor:
    async with container.uow()(read_only=True) as uow:
        found = await uow.users.find_by_login("root")
    assert found is not None
    return Actor(user=found)


async def test_a_password_changed_otherwise_ends_the_links_mailed_before(
    memory_container: Container, mail_dir: Path
) -> None:
    await add_user(memory_container, "forgetful")
    await memory_container.password_links().forgot_password("forgetful@example.org", None)
    await run_due_jobs(memory_container)
    [reset] = outbox(mail_dir)
    _token, actor = await sign_in(memory_container, "forgetful")
    await memory_container.auth().change_password(actor, PASSWORD, NEW_PASSWORD)
    with pytest.raises(BadRequest, match=ENDED_LINK):
        await memory_container.password_links().set_password(link_token(reset), OTHER_PASSWORD)


async def test_a_made_up_token_is_refused(memory_container: Container) -> None:
    with pytest.raises(BadRequest, match=UNKNOWN_LINK):
        await memory_container.password_links().set_password("not-a-token", NEW_PASSWORD)


async def test_forgot_password_answers_alike_and_mails_only_an_existing_account(
    memory_container: Container, mail_dir: Path
) -> None:
    user = await add_user(memory_container, "forgetful")
    _token, _actor = await sign_in(memory_container, "forgetful")
    links = memory_container.password_links()
    assert await links.forgot_password("FORGETFUL@example.org", "10.0.0.1") is None
    assert await links.forgot_password("nobody@example.org", "10.0.0.1") is None
    assert await run_due_jobs(memory_container) == 3  # two requests, one mail
    [reset] = outbox(mail_dir)
    assert reset["To"].addresses[0].addr_spec == "forgetful@example.org"
    await links.set_password(link_token(reset), NEW_PASSWORD)
    with pytest.raises(AuthenticationFailed):
        await memory_container.auth().authenticate(_token)  # every sign-in ended
    with pytest.raises(AuthenticationFailed):
        await sign_in(memory_container, "forgetful", PASSWORD)
    await sign_in(memory_container, "forgetful", NEW_PASSWORD)
    async with memory_container.uow()(read_only=True) as uow:
        entries = await uow.audit_history.page(AuditQuery(target_id=user.id))
    # The sign-in itself is audited too (user.signed_in); the password's story comes before.
    actions = [e.action for e in entries if e.action != "user.signed_in"]
    assert actions[:2] == ["user.password_set", "user.password_reset_requested"]


async def test_forgot_password_is_throttled_per_address_and_per_email(
    memory_container: Container, mail_dir: Path
) -> None:
    links = memory_container.password_links()
    for _ in range(5):
        await links.forgot_password("target@example.org", "10.0.0.1")
    with pytest.raises(Throttled) as refused:
        await links.forgot_password("target@example.org", "10.0.0.2")  # another address
    assert 1 <= refused.value.retry_after <= 900
    for n in range(20):
        await links.forgot_password(f"other{n}@example.org", "10.0.0.3")
    with pytest.raises(Throttled):
        await links.forgot_password("another@example.org", "10.0.0.3")


async def test_forgot_password_wants_an_email_address(memory_container: Container) -> None:
    with pytest.raises(InvalidInput) as refused:
        await memory_container.password_links().forgot_password("not an address", "10.0.0.1")
    assert [e.field for e in refused.value.errors] == ["email"]


async def test_the_new_password_passes_the_policy(
    memory_container: Container, mail_dir: Path
) -> None:
    await invite_new(memory_container)
    await run_due_jobs(memory_container)
    token = link_token(outbox(mail_dir)[0])
    with pytest.raises(InvalidInput) as refused:
        await memory_container.password_links().set_password(token, "newbie")
    assert {e.field for e in refused.value.errors} == {"new_password"}
    await memory_container.password_links().set_password(token, NEW_PASSWORD)  # still usable


async def test_invite_and_password_together_are_refused(memory_container: Container) -> None:
    with pytest.raises(InvalidInput) as refused:
        await memory_container.users().create_user(
            await admin(memory_container),
            NewUser("both", "both@example.org", "B", "", Role.TRAINEE, PASSWORD, None, True),
        )
    assert "invite" in [e.field for e in refused.value.errors]


async def test_only_admins_invite(memory_container: Container) -> None:
    trainer = await add_user(memory_container, "coach", Role.TRAINER)
    trainee = await add_user(memory_container, "pupil")
    with pytest.raises(Forbidden):
        await memory_container.password_links().invite(Actor(user=trainer), trainee.id)


async def test_every_password_change_sends_a_notice_without_the_password(
    memory_container: Container, mail_dir: Path
) -> None:
    root = await admin(memory_container)
    user = await add_user(memory_container, "changer")
    _token, actor = await sign_in(memory_container, "changer")
    await memory_container.auth().change_password(actor, PASSWORD, NEW_PASSWORD)
    await memory_container.auth().reset_password(root, user.id, OTHER_PASSWORD)
    await memory_container.users().update_user(
        root, user.id, UserChanges(password="third sunny harbour 9")
    )
    await run_due_jobs(memory_container)
    subjects = [m["Subject"] for m in outbox(mail_dir)]
    assert sorted(subjects) == sorted(
        [
            "Your Training Management System password was changed",
            "Your Training Management System password was reset",
            "Your Training Management System password was reset",
        ]
    )
    for message in outbox(mail_dir):
        text, html = bodies(message)
        for secret in (PASSWORD, NEW_PASSWORD, OTHER_PASSWORD, "third sunny harbour 9"):
            assert secret not in text + html


async def test_no_token_reaches_an_event_or_the_audit_trail(
    memory_container: Container, mail_dir: Path
) -> None:
    await invite_new(memory_container)
    await add_user(memory_container, "forgetful")
    await memory_container.password_links().forgot_password("forgetful@example.org", None)
    await run_due_jobs(memory_container)
    tokens = [link_token(m) for m in outbox(mail_dir)]
    async with memory_container.uow()(read_only=True) as uow:
        trail = repr(await uow.audit_history.page(AuditQuery()))
        events = repr(await uow.events.since(0, limit=1000))
        jobs = await uow.jobs.page(None, skip=0, limit=100)
    for token in tokens:
        assert token not in trail
        assert token not in events
    assert {job.status for job in jobs} == {JobStatus.SUCCEEDED}
