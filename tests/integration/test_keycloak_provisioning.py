"""Accounts an admin creates are created in Keycloak too, by a background job written in
the same commit, against a stand-in for the admin endpoints the adapter calls (Keycloak
itself cannot run here; docker compose's keycloak profile runs the real one)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from test_oidc_flow import sso_container

from conftest import FakeClock
from import_support import stored
from mail_support import run_due_jobs
from oidc_servers import StandInKeycloak, stand_in_keycloak
from support import add_admin
from tms_adapters.identity import KeycloakProvisioner, KeycloakUnavailable
from tms_domain.accounts.sso import PROVISION_JOB, AccountToProvision
from tms_domain.accounts.use_cases.users import NewUser
from tms_domain.cohorts.imports import ImportOptions
from tms_domain.kernel import Page, Role
from tms_domain.kernel.jobs import JobStatus, PermanentJobFailure
from tms_entrypoints.container import Container


@pytest.fixture
def keycloak() -> Iterator[StandInKeycloak]:
    with stand_in_keycloak("tms-trainer", "trainee", "admin") as kc:
        yield kc


def settings_for(kc: StandInKeycloak) -> dict[str, str]:
    return {
        "keycloak_admin_url": kc.url,
        "keycloak_realm": kc.realm,
        "keycloak_admin_client_id": kc.client_id,
        "keycloak_admin_client_secret": kc.client_secret,
        "oidc_role_map": "tms-trainer=trainer",
    }


@pytest.fixture(params=["memory", "sqlite"])
async def container(
    request: pytest.FixtureRequest, keycloak: StandInKeycloak, tmp_path: Path, clock: FakeClock
) -> AsyncIterator[Container]:
    async with sso_container(request.param, tmp_path, clock, **settings_for(keycloak)) as c:
        yield c


async def test_a_created_user_is_created_in_keycloak_with_its_role(
    container: Container, keycloak: StandInKeycloak
) -> None:
    admin = await add_admin(container)
    created = await container.users().create_user(
        admin, NewUser("Grace", "grace@example.org", "Grace", "Hopper", Role.TRAINER)
    )
    # Nothing is sent inside the request: the job waits for a worker.
    assert keycloak.users == {}
    assert await run_due_jobs(container) == 1
    (made,) = keycloak.users.values()
    assert made["username"] == "grace"
    assert made["email"] == "grace@example.org"
    assert (made["firstName"], made["lastName"]) == ("Grace", "Hopper")
    assert made["requiredActions"] == ["UPDATE_PASSWORD"]
    assert made["enabled"] is True
    assert "credentials" not in made
    assert keycloak.mappings[made["id"]] == ["tms-trainer"]
    jobs = await container.jobs.admin().list_jobs(admin, JobStatus.SUCCEEDED, Page(0, 10))
    assert [job.kind for job in jobs] == [PROVISION_JOB]
    assert created.user.id == jobs[0].payload["user_id"]


async def test_imported_users_are_created_in_keycloak_too(
    container: Container, keycloak: StandInKeycloak
) -> None:
    admin = await add_admin(container)
    data = b"email,first name,last name,role\nada@example.org,Ada,Lovelace,trainee\n"
    data += b"tom@example.org,Tom,Kilburn,trainer\n"
    record = await container.imports().start(admin, await stored(container, data), ImportOptions())
    await run_due_jobs(container)  # the import, then what it enqueued
    await run_due_jobs(container)
    assert (await container.imports().get(admin, record.id)).created == 2
    made = {user["email"]: user for user in keycloak.users.values()}
    assert set(made) == {"ada@example.org", "tom@example.org"}
    assert made["ada@example.org"]["requiredActions"] == ["UPDATE_PASSWORD"]
    assert keycloak.mappings[made["ada@example.org"]["id"]] == ["trainee"]
    assert keycloak.mappings[made["tom@example.org"]["id"]] == ["tms-trainer"]
    # The same file again creates nobody, here or there.
    await container.imports().start(admin, await stored(container, data), ImportOptions())
    await run_due_jobs(container)
    assert len(keycloak.users) == 2


async def test_provisioning_twice_makes_one_account(keycloak: StandInKeycloak) -> None:
    provisioner = KeycloakProvisioner(
        keycloak.url, keycloak.realm, keycloak.client_id, keycloak.client_secret
    )
    account = AccountToProvision(7, "lin", "lin@example.org", "Lin", "Wu", "trainee")
    try:
        await provisioner.provision(account)
        await provisioner.provision(account)
        # A job that died after the create but before the role: the next run finds the user.
        keycloak.mappings.clear()
        await provisioner.provision(account)
    finally:
        await provisioner.close()
    (made,) = keycloak.users.values()
    assert keycloak.mappings[made["id"]] == ["trainee"]
    creates = [call for call in keycloak.calls if call == "POST /admin/realms/tms/users"]
    assert len(creates) == 1


async def test_failures_are_retried_or_dead_lettered(keycloak: StandInKeycloak) -> None:
    account = AccountToProvision(8, "kim", "kim@example.org", "Kim", "", "no-such-role")
    wrong = KeycloakProvisioner(keycloak.url, keycloak.realm, keycloak.client_id, "wrong")
    good = KeycloakProvisioner(
        keycloak.url, keycloak.realm, keycloak.client_id, keycloak.client_secret
    )
    try:
        with pytest.raises(PermanentJobFailure, match="credentials"):
            await wrong.provision(account)
        keycloak.fail_next_create = 1
        with pytest.raises(KeycloakUnavailable):
            await good.provision(account)
        with pytest.raises(PermanentJobFailure, match="no-such-role"):
            await good.provision(account)
    finally:
        await wrong.close()
        await good.close()
