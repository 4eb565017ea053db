"""/users through the real app over SQL: who may read and change whom, the contract's
shapes, validation, paging, duplicates and races (on SQLite and MariaDB)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from conftest import require_mariadb
from support import (
    OTHER_PASSWORD,
    PASSWORD,
    SECRET_MARKERS,
    RecordingClient,
    add_user,
    api_client,
    bearer,
    login,
)
from tms_domain.accounts import UNAMBIGUOUS_ALPHABET, User
from tms_domain.kernel import Role
from tms_entrypoints.container import Container


@pytest.fixture(params=["sqlite"])
def database_kind(request: pytest.FixtureRequest) -> str:
    """SQLite unless a test asks for both databases."""
    if request.param == "mariadb":
        require_mariadb()
    return str(request.param)


@pytest.fixture
async def client(sql_container: Container) -> AsyncIterator[RecordingClient]:
    async with api_client(sql_container) as client:
        yield client


both_databases = pytest.mark.parametrize("database_kind", ["sqlite", "mariadb"], indirect=True)


class People:
    """An admin, a trainer and two trainees, each signed in."""

    def __init__(self, users: dict[str, User], tokens: dict[str, dict[str, str]]) -> None:
        self.users = users
        self.headers = tokens

    def id(self, name: str) -> int:
        return self.users[name].id


@pytest.fixture
async def people(client: RecordingClient, sql_container: Container) -> People:
    users = {
        "root": await add_user(sql_container, "root", Role.ADMIN),
        "coach": await add_user(sql_container, "coach", Role.TRAINER),
        "alice": await add_user(sql_container, "alice", first_name="Alice", last_name="A"),
        "bob": await add_user(sql_container, "bob"),
    }
    tokens = {name: bearer(await login(client, name)) for name in users}
    return People(users, tokens)


def new_user(username: str, **fields: object) -> dict[str, object]:
    return {
        "username": username,
        "email": f"{username}@example.org",
        "first_name": "New",
        "last_name": "Comer",
        "role": "trainee",
        **fields,
    }


# Reading


async def test_admins_and_trainers_list_users_trainees_do_not(
    client: RecordingClient, people: People
) -> None:
    for name in ("root", "coach"):
        response = await client.get("/users/", headers=people.headers[name])
        assert response.status_code == 200
        assert [u["username"] for u in response.json()] == ["root", "coach", "alice", "bob"]

    refused = await client.get("/users/", headers=people.headers["alice"])
    assert refused.status_code == 403


async def test_a_trainee_reads_themself_only(client: RecordingClient, people: People) -> None:
    alice = people.headers["alice"]

    own = await client.get(f"/users/{people.id('alice')}", headers=alice)
    other = await client.get(f"/users/{people.id('bob')}", headers=alice)
    by_trainer = await client.get(f"/users/{people.id('bob')}", headers=people.headers["coach"])
    missing = await client.get("/users/999", headers=people.headers["root"])

    assert own.status_code == 200
    assert own.json()["name"] == "Alice A"
    assert other.status_code == 403
    assert by_trainer.status_code == 200
    assert missing.status_code == 404


async def test_paging_and_role_filter(client: RecordingClient, people: People) -> None:
    admin = people.headers["root"]

    async def usernames(query: str) -> list[str]:
        response = await client.get(f"/users/?{query}", headers=admin)
        assert response.status_code == 200, response.text
        return [u["username"] for u in response.json()]

    assert await usernames("skip=1&limit=2") == ["coach", "alice"]
    assert await usernames("role=trainee&skip=1") == ["bob"]
    assert await usernames("limit=1000") == ["root", "coach", "alice", "bob"]
    assert await usernames("skip=10") == []


@pytest.mark.parametrize(
    ("query", "field"),
    [("skip=-1", "skip"), ("limit=0", "limit"), ("limit=1001", "limit"), ("skip=x", "skip")],
)
async def test_paging_out_of_range_is_422(
    client: RecordingClient, people: People, query: str, field: str
) -> None:
    response = await client.get(f"/users/?{query}", headers=people.headers["root"])

    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == [field]


async def test_paths_work_with_and_without_a_trailing_slash(
    client: RecordingClient, people: People
) -> None:
    admin = people.headers["root"]
    alice = people.id("alice")

    for path in ("/users", "/users/", f"/users/{alice}", f"/users/{alice}/"):
        assert (await client.get(path, headers=admin)).status_code == 200, path
    for path in (f"/users/{alice}", f"/users/{alice}/"):
        response = await client.put(path, json={"last_name": path}, headers=admin)
        assert response.status_code == 200, path
    created = await client.post("/users", json=new_user("carol"), headers=admin)
    assert created.status_code == 201
    deleted = await client.delete(f"/users/{created.json()['user']['id']}/", headers=admin)
    assert deleted.status_code == 200


# Creating


async def test_an_admin_creates_a_user_with_a_generated_password_shown_once(
    client: RecordingClient, people: People
) -> None:
    admin = people.headers["root"]

    response = await client.post("/users/", json=new_user("carol"), headers=admin)

    assert response.status_code == 201
    body = response.json()
    assert set(body) == {"user", "temporary_password", "message"}
    password = body["temporary_password"]
    assert set(password.replace("-", "")) <= set(UNAMBIGUOUS_ALPHABET)
    assert len(password.replace("-", "")) * 5 >= 80
    assert body["user"]["is_temporary_password"] is True
    read = await client.get(f"/users/{body['user']['id']}", headers=admin)
    assert password not in read.text
    signed_in = await client.post("/auth/login", json={"username": "carol", "password": password})
    assert signed_in.json()["force_password_change"] is True


async def test_a_given_password_is_not_echoed(client: RecordingClient, people: People) -> None:
    response = await client.post(
        "/users/",
        json=new_user("carol", password=OTHER_PASSWORD, is_temporary_password=False),
        headers=people.headers["root"],
    )

    assert response.status_code == 201
    assert set(response.json()) == {"user", "message"}
    assert OTHER_PASSWORD not in response.text
    assert await login(client, "carol", OTHER_PASSWORD)


async def test_only_admins_create_users(client: RecordingClient, people: People) -> None:
    for name in ("coach", "alice"):
        response = await client.post(
            "/users/", json=new_user(f"made_by_{name}", role="admin"), headers=people.headers[name]
        )
        assert response.status_code == 403
    assert (await client.get("/users/", headers=people.headers["root"])).json()[-1][
        "username"
    ] == "bob"


async def test_invalid_user_fields_are_422_naming_each_field(
    client: RecordingClient, people: People
) -> None:
    admin = people.headers["root"]

    wrong_type = await client.post("/users/", json=new_user("carol", first_name=7), headers=admin)
    wrong_role = await client.post("/users/", json=new_user("carol", role="boss"), headers=admin)
    missing = await client.post(
        "/users/", json={"username": "carol", "role": "trainee"}, headers=admin
    )
    bad_values = await client.post(
        "/users/",
        json=new_user("c", email="not-an-email", first_name=" ", password="c"),
        headers=admin,
    )

    assert wrong_type.status_code == wrong_role.status_code == missing.status_code == 422
    assert [e["field"] for e in wrong_type.json()["errors"]] == ["first_name"]
    assert [e["field"] for e in wrong_role.json()["errors"]] == ["role"]
    assert [e["field"] for e in missing.json()["errors"]] == ["email"]
    assert bad_values.status_code == 422
    assert {e["field"] for e in bad_values.json()["errors"]} == {
        "username",
        "email",
        "first_name",
        "password",
    }


@both_databases
@pytest.mark.parametrize(
    ("username", "email"),
    [("ALICE", "someone@example.org"), ("someone", "Alice@EXAMPLE.org")],
    ids=["username", "email"],
)
async def test_a_duplicate_username_or_email_is_409(
    client: RecordingClient, people: People, username: str, email: str
) -> None:
    admin = people.headers["root"]

    created = await client.post("/users/", json=new_user(username, email=email), headers=admin)
    renamed = await client.put(
        f"/users/{people.id('bob')}", json={"username": username, "email": email}, headers=admin
    )

    assert created.status_code == 409
    assert renamed.status_code == 409
    assert set(created.json()) == {"detail"}
    listed = await client.get("/users/", headers=admin)
    assert [u["username"] for u in listed.json()] == ["root", "coach", "alice", "bob"]


@both_databases
async def test_two_concurrent_creates_of_one_username_make_one_user(
    client: RecordingClient, sql_container: Container
) -> None:
    await add_user(sql_container, "root", Role.ADMIN)
    admin = bearer(await login(client, "root"))

    responses = await asyncio.gather(
        client.post("/users/", json=new_user("twin", email="one@example.org"), headers=admin),
        client.post("/users/", json=new_user("Twin", email="two@example.org"), headers=admin),
    )

    assert sorted(r.status_code for r in responses) == [201, 409]
    listed = await client.get("/users/?role=trainee", headers=admin)
    assert [u["username"].lower() for u in listed.json()] == ["twin"]


@both_databases
@pytest.mark.parametrize(
    "look_alike",
    ["\u0430lice", "ａｌｉｃｅ", "a1ice", "AL\u0399CE"],
    ids=["cyrillic-a", "full-width", "digit-one-for-l", "greek-iota"],
)
async def test_a_username_that_looks_like_another_is_409(
    client: RecordingClient, people: People, look_alike: str
) -> None:
    created = await client.post(
        "/users/",
        json=new_user(look_alike, email="x@example.org"),
        headers=people.headers["root"],
    )

    assert created.status_code == 409
    assert "alice" not in created.text.lower()


@both_databases
async def test_two_concurrent_creates_of_look_alike_usernames_make_one_user(
    client: RecordingClient, sql_container: Container
) -> None:
    await add_user(sql_container, "root", Role.ADMIN)
    admin = bearer(await login(client, "root"))

    responses = await asyncio.gather(
        client.post("/users/", json=new_user("mallory"), headers=admin),
        client.post("/users/", json=new_user("rnallory"), headers=admin),
    )

    assert sorted(r.status_code for r in responses) == [201, 409]
    assert len((await client.get("/users/?role=trainee", headers=admin)).json()) == 1


async def test_a_username_is_stored_nfkc_normalised_and_signs_in_either_way(
    client: RecordingClient, people: People
) -> None:
    created = await client.post(
        "/users/",
        json=new_user("ｊｕｌｉａ", email="julia@example.org", password=OTHER_PASSWORD),
        headers=people.headers["root"],
    )

    assert created.status_code == 201
    assert created.json()["user"]["username"] == "julia"
    assert await login(client, "julia", OTHER_PASSWORD)
    assert await login(client, "ｊｕｌｉａ", OTHER_PASSWORD)


async def test_a_username_cannot_hold_an_at_sign_or_be_an_email_address(
    client: RecordingClient, people: People
) -> None:
    admin = people.headers["root"]

    as_email = await client.post(
        "/users/", json=new_user("alice@example.org", email="x@example.org"), headers=admin
    )
    with_at = await client.post(
        "/users/", json=new_user("x@y", email="x@example.org"), headers=admin
    )
    renamed = await client.put(
        f"/users/{people.id('bob')}", json={"username": "bob@home"}, headers=admin
    )

    for refused in (as_email, with_at, renamed):
        assert refused.status_code == 422
        assert [e["field"] for e in refused.json()["errors"]] == ["username"]


@both_databases
async def test_an_old_username_with_at_keeps_working_and_its_address_stays_taken(
    client: RecordingClient, sql_container: Container
) -> None:
    """Usernames may have held @ before: such a user keeps the name, and nobody can take it
    as an e-mail address, which signing in by e-mail would then confuse."""
    await add_user(sql_container, "root", Role.ADMIN)
    veteran = await add_user(sql_container, "vet@old.example", email="vet@example.org")
    admin = bearer(await login(client, "root"))
    token = await login(client, "vet@old.example")

    kept = await client.put(
        f"/users/{veteran.id}",
        json={"username": "vet@old.example", "first_name": "Vera"},
        headers=bearer(token),
    )
    taken = await client.post(
        "/users/", json=new_user("newbie", email="VET@old.example"), headers=admin
    )

    assert kept.status_code == 200
    assert kept.json()["username"] == "vet@old.example"
    assert taken.status_code == 409
    assert "vet" not in taken.json()["detail"].lower()


# Updating


async def test_anyone_updates_their_own_profile(client: RecordingClient, people: People) -> None:
    alice = people.headers["alice"]

    response = await client.put(
        f"/users/{people.id('alice')}",
        json={
            "first_name": "Alicia",
            "last_name": "Smith",
            "email": "alicia@example.org",
            "username": "alicia",
            "role": "trainee",
            "is_temporary_password": False,
        },
        headers=alice,
    )

    assert response.status_code == 200
    assert response.json()["name"] == "Alicia Smith"
    assert response.json()["username"] == "alicia"
    assert (await client.get(f"/users/{people.id('alice')}", headers=alice)).status_code == 200


@both_databases
@pytest.mark.parametrize(
    "change",
    [
        {"username": "ALICE"},
        {"username": "\u0430lice"},
        {"email": "Alice@Example.org"},
        {"username": "alice", "email": "alice@example.org"},
    ],
    ids=["username", "look-alike", "email", "both"],
)
async def test_a_self_update_clash_is_409_without_naming_the_other_account(
    client: RecordingClient, people: People, change: dict[str, str]
) -> None:
    response = await client.put(
        f"/users/{people.id('bob')}", json=change, headers=people.headers["bob"]
    )

    assert response.status_code == 409
    assert set(response.json()) == {"detail"}
    alice = people.users["alice"]
    for detail in (alice.username, alice.email, alice.name, alice.first_name, str(alice.id)):
        assert detail.lower() not in response.text.lower()


@pytest.mark.parametrize(
    ("name", "change"),
    [
        ("alice", {"role": "admin"}),
        ("alice", {"role": "trainer"}),
        ("coach", {"role": "admin"}),
        ("root", {"role": "trainee"}),
        ("alice", {"is_temporary_password": True}),
        ("alice", {"password": OTHER_PASSWORD}),
        ("root", {"password": OTHER_PASSWORD}),
    ],
)
async def test_nobody_changes_their_own_role_flag_or_password_by_put(
    client: RecordingClient, people: People, name: str, change: dict[str, object]
) -> None:
    headers = people.headers[name]

    response = await client.put(f"/users/{people.id(name)}", json=change, headers=headers)

    assert response.status_code == 403
    after = (await client.get(f"/users/{people.id(name)}", headers=headers)).json()
    assert after["role"] == people.users[name].role.value
    assert after["is_temporary_password"] is False
    assert await login(client, name)


async def test_a_trainee_or_trainer_cannot_update_someone_else(
    client: RecordingClient, people: People
) -> None:
    for name in ("alice", "coach"):
        response = await client.put(
            f"/users/{people.id('bob')}",
            json={"first_name": "Hacked"},
            headers=people.headers[name],
        )
        assert response.status_code == 403


async def test_an_admin_sets_a_password_that_becomes_temporary(
    client: RecordingClient, people: People
) -> None:
    response = await client.put(
        f"/users/{people.id('bob')}",
        json={"password": OTHER_PASSWORD},
        headers=people.headers["root"],
    )

    assert response.status_code == 200
    assert response.json()["is_temporary_password"] is True
    bob_before = await client.get(f"/users/{people.id('bob')}", headers=people.headers["bob"])
    assert bob_before.status_code == 401
    signed_in = await client.post(
        "/auth/login", json={"username": "bob", "password": OTHER_PASSWORD}
    )
    assert signed_in.json()["force_password_change"] is True


# Deleting


async def test_an_admin_deletes_others_but_not_themself(
    client: RecordingClient, people: People
) -> None:
    admin = people.headers["root"]

    itself = await client.delete(f"/users/{people.id('root')}", headers=admin)
    by_trainer = await client.delete(f"/users/{people.id('bob')}", headers=people.headers["coach"])
    by_trainee = await client.delete(f"/users/{people.id('bob')}", headers=people.headers["alice"])
    deleted = await client.delete(f"/users/{people.id('bob')}", headers=admin)
    again = await client.delete(f"/users/{people.id('bob')}", headers=admin)

    assert itself.status_code == 403
    assert by_trainer.status_code == 403
    assert by_trainee.status_code == 403
    assert deleted.status_code == 200
    assert set(deleted.json()) == {"message"}
    assert again.status_code == 404
    assert (await client.get(f"/users/{people.id('bob')}", headers=admin)).status_code == 404
    assert (await client.get(f"/users/{people.id('root')}", headers=admin)).status_code == 200


# Secrets


async def test_no_response_carries_a_password_hash(client: RecordingClient, people: People) -> None:
    admin = people.headers["root"]
    bob = people.id("bob")

    await client.get("/users/", headers=admin)
    await client.get(f"/users/{bob}", headers=admin)
    await client.post("/users/", json=new_user("carol", password=OTHER_PASSWORD), headers=admin)
    await client.put(f"/users/{bob}", json={"first_name": "Robert"}, headers=admin)
    await client.post("/auth/login", json={"username": "bob", "password": PASSWORD})
    await client.post(f"/auth/reset-password/{bob}", json={"new_password": PASSWORD}, headers=admin)
    await client.delete(f"/users/{bob}", headers=admin)

    assert len(client.bodies) >= 11
    for body in client.bodies:
        for marker in SECRET_MARKERS:
            assert marker not in body


async def test_health_answers_without_a_token(client: RecordingClient) -> None:
    response = await client.get("/health")

    assert response.status_code == 200
    assert response.json()["status"] == "healthy"


async def test_health_answers_head_for_monitors(client: RecordingClient) -> None:
    response = await client.head("/health")

    assert response.status_code == 200
    assert response.content == b""
