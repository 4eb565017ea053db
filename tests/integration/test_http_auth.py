"""POST /auth/*, and what happens to a token afterwards, through the real app over SQL."""

from __future__ import annotations

import base64
import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from jose import jws

from conftest import TEST_SECRET, FakeClock, require_mariadb
from support import (
    OTHER_PASSWORD,
    PASSWORD,
    USER_KEYS,
    RecordingClient,
    add_user,
    api_client,
    bearer,
    login,
)
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


def segment(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def claims_of(token: str) -> dict[str, Any]:
    payload = token.split(".")[1]
    return dict(json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))))


async def status_with(client: RecordingClient, token: str, user_id: int) -> int:
    """What reading a user answers to this token."""
    return (await client.get(f"/users/{user_id}", headers=bearer(token))).status_code


# Signing in


async def test_login_answers_the_contracts_shape(
    client: RecordingClient, sql_container: Container
) -> None:
    user = await add_user(sql_container, "alice", Role.TRAINER, first_name="Alice", last_name="W")

    response = await client.post("/auth/login", json={"username": "alice", "password": PASSWORD})

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"access_token", "token_type", "user", "force_password_change"}
    assert body["token_type"] == "bearer"
    assert body["force_password_change"] is False
    assert set(body["user"]) == USER_KEYS
    assert body["user"]["id"] == user.id
    assert body["user"]["role"] == "trainer"
    assert body["user"]["name"] == "Alice W"
    assert body["user"]["created_at"] == "2026-05-01T09:00:00+00:00"
    assert not [key for key in body["user"] if "password" in key and key != "is_temporary_password"]
    assert await status_with(client, body["access_token"], user.id) == 200


async def test_login_by_email_in_any_case_and_with_a_trailing_slash(
    client: RecordingClient, sql_container: Container
) -> None:
    await add_user(sql_container, "alice", email="Alice@Example.org")

    for path, username in (("/auth/login", "ALICE@example.ORG"), ("/auth/login/", "Alice")):
        response = await client.post(path, json={"username": username, "password": PASSWORD})
        assert response.status_code == 200, response.text
        assert response.json()["user"]["username"] == "alice"


async def test_a_temporary_password_signs_in_with_force_password_change(
    client: RecordingClient, sql_container: Container
) -> None:
    await add_user(sql_container, "alice", temporary=True)

    response = await client.post("/auth/login", json={"username": "alice", "password": PASSWORD})

    assert response.status_code == 200
    assert response.json()["force_password_change"] is True
    assert response.json()["user"]["is_temporary_password"] is True


async def test_bad_credentials_are_401_and_say_nothing_about_the_account(
    client: RecordingClient, sql_container: Container
) -> None:
    await add_user(sql_container, "alice")

    wrong = await client.post("/auth/login", json={"username": "alice", "password": "nope"})
    unknown = await client.post("/auth/login", json={"username": "nobody", "password": PASSWORD})

    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json()
    assert set(wrong.json()) == {"detail"}
    assert wrong.headers["www-authenticate"] == "Bearer"


async def test_login_rejects_bad_bodies(client: RecordingClient) -> None:
    as_json = {"content-type": "application/json"}
    malformed = await client.post("/auth/login", content=b'{"username": "al', headers=as_json)
    wrong_type = await client.post("/auth/login", json={"username": 5, "password": PASSWORD})
    missing = await client.post("/auth/login", json={"password": PASSWORD})
    oversized = await client.post(
        "/auth/login",
        content=json.dumps({"username": "a" * (1024 * 1024 + 1), "password": "x"}),
        headers=as_json,
    )

    assert malformed.status_code == 400
    assert "detail" in malformed.json()
    assert wrong_type.status_code == 422
    assert [e["field"] for e in wrong_type.json()["errors"]] == ["username"]
    assert missing.status_code == 422
    assert [e["field"] for e in missing.json()["errors"]] == ["username"]
    assert oversized.status_code == 413


# Tokens that must not work


async def test_no_token_or_another_scheme_is_401(
    client: RecordingClient, sql_container: Container
) -> None:
    user = await add_user(sql_container, "alice")
    token = await login(client, "alice")

    assert (await client.get(f"/users/{user.id}")).status_code == 401
    basic = {"Authorization": f"Basic {token}"}
    assert (await client.get(f"/users/{user.id}", headers=basic)).status_code == 401
    assert (await client.get(f"/users/{user.id}", headers=bearer("garbage"))).status_code == 401


async def test_a_token_expires_after_eight_hours(
    client: RecordingClient, sql_container: Container, clock: FakeClock
) -> None:
    user = await add_user(sql_container, "alice")
    token = await login(client, "alice")

    clock.advance(hours=7, minutes=59)
    assert await status_with(client, token, user.id) == 200
    clock.advance(minutes=2)
    response = await client.get(f"/users/{user.id}", headers=bearer(token))

    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"


async def test_a_tampered_or_forged_token_is_401(
    client: RecordingClient, sql_container: Container
) -> None:
    alice = await add_user(sql_container, "alice")
    await add_user(sql_container, "root", Role.ADMIN)
    token = await login(client, "alice")
    header, _payload, signature = token.split(".")
    claims = claims_of(token)
    as_admin = {**claims, "sub": "2"}
    flipped = signature[:10] + ("A" if signature[10] != "A" else "B") + signature[11:]

    forgeries = {
        "other subject": f"{header}.{segment(as_admin)}.{signature}",
        "flipped signature": f"{header}.{token.split('.')[1]}.{flipped}",
        "other key": jws.sign(claims, "another-secret-key-of-32-bytes-or-more", algorithm="HS256"),
        "other algorithm": jws.sign(claims, TEST_SECRET, algorithm="HS512"),
        "longer expiry": jws.sign(
            {**claims, "exp": claims["exp"] + 86400}, "x" * 40, algorithm="HS256"
        ),
    }

    assert await status_with(client, token, alice.id) == 200
    for name, forged in forgeries.items():
        assert await status_with(client, forged, alice.id) == 401, name
        assert await status_with(client, forged, 2) == 401, name


async def test_an_alg_none_token_is_401(client: RecordingClient, sql_container: Container) -> None:
    alice = await add_user(sql_container, "alice")
    token = await login(client, "alice")
    claims = claims_of(token)
    signature = token.split(".")[2]

    for alg in ("none", "None", "NONE"):
        unsigned = segment({"alg": alg, "typ": "JWT"}) + "." + segment(claims)
        for forged in (unsigned + ".", f"{unsigned}.{signature}"):
            assert await status_with(client, forged, alice.id) == 401


async def test_a_password_change_ends_the_other_sign_ins_but_not_this_one(
    client: RecordingClient, sql_container: Container
) -> None:
    alice = await add_user(sql_container, "alice")
    changing = await login(client, "alice")
    other = await login(client, "alice")

    response = await client.post(
        "/auth/change-password",
        json={"current_password": PASSWORD, "new_password": OTHER_PASSWORD},
        headers=bearer(changing),
    )

    assert response.status_code == 200
    assert set(response.json()) == {"message"}
    assert await status_with(client, changing, alice.id) == 200
    assert await status_with(client, other, alice.id) == 401
    old = await client.post("/auth/login", json={"username": "alice", "password": PASSWORD})
    assert old.status_code == 401
    assert await login(client, "alice", OTHER_PASSWORD)


async def test_a_reset_ends_the_users_sign_ins(
    client: RecordingClient, sql_container: Container
) -> None:
    alice = await add_user(sql_container, "alice")
    await add_user(sql_container, "root", Role.ADMIN)
    admin = await login(client, "root")
    token = await login(client, "alice")

    response = await client.post(
        f"/auth/reset-password/{alice.id}",
        json={"new_password": OTHER_PASSWORD},
        headers=bearer(admin),
    )

    assert response.status_code == 200
    assert set(response.json()) == {"message"}
    assert await status_with(client, token, alice.id) == 401
    again = await client.post("/auth/login", json={"username": "alice", "password": OTHER_PASSWORD})
    assert again.json()["force_password_change"] is True


async def test_a_role_change_ends_the_users_sign_ins(
    client: RecordingClient, sql_container: Container
) -> None:
    alice = await add_user(sql_container, "alice", Role.TRAINER)
    await add_user(sql_container, "root", Role.ADMIN)
    admin = await login(client, "root")
    token = await login(client, "alice")

    response = await client.put(
        f"/users/{alice.id}", json={"role": "trainee"}, headers=bearer(admin)
    )

    assert response.status_code == 200
    assert response.json()["role"] == "trainee"
    assert await status_with(client, token, alice.id) == 401


async def test_a_deleted_users_token_is_401(
    client: RecordingClient, sql_container: Container
) -> None:
    alice = await add_user(sql_container, "alice")
    await add_user(sql_container, "root", Role.ADMIN)
    admin = await login(client, "root")
    token = await login(client, "alice")

    deleted = await client.delete(f"/users/{alice.id}", headers=bearer(admin))

    assert deleted.status_code == 200
    assert await status_with(client, token, alice.id) == 401


# Passwords


async def test_a_temporary_password_must_be_changed_before_anything_else(
    client: RecordingClient, sql_container: Container
) -> None:
    other = await add_user(sql_container, "other")
    me = await add_user(sql_container, "boss", Role.ADMIN, temporary=True)
    token = await login(client, "boss")
    headers = bearer(token)

    refused = [
        await client.get("/users/", headers=headers),
        await client.get(f"/users/{other.id}", headers=headers),
        await client.put(f"/users/{me.id}", json={"first_name": "B"}, headers=headers),
        await client.delete(f"/users/{other.id}", headers=headers),
        await client.post(
            f"/auth/reset-password/{other.id}",
            json={"new_password": OTHER_PASSWORD},
            headers=headers,
        ),
    ]
    own = await client.get(f"/users/{me.id}", headers=headers)
    changed = await client.post(
        "/auth/change-password", json={"new_password": OTHER_PASSWORD}, headers=headers
    )
    listed = await client.get("/users/", headers=headers)

    assert [r.status_code for r in refused] == [403] * len(refused)
    assert all("temporary" in r.json()["detail"] for r in refused)
    assert own.status_code == 200
    assert changed.status_code == 200
    assert listed.status_code == 200
    assert (await client.get(f"/users/{me.id}", headers=headers)).json()[
        "is_temporary_password"
    ] is False


async def test_the_temporary_password_refusal_says_how_to_change_it_and_the_docs_say_so(
    client: RecordingClient, sql_container: Container
) -> None:
    await add_user(sql_container, "newcomer", temporary=True)
    headers = bearer(await login(client, "newcomer"))

    refused = await client.get("/sessions/", headers=headers)
    described = (await client.get("/schema/openapi.json")).json()["info"]["description"]

    assert refused.status_code == 403
    assert "POST /auth/change-password" in refused.json()["detail"]
    assert "temporary password" in described
    assert "403" in described
    assert "POST /auth/change-password" in described


async def test_change_password_names_the_fields_that_are_wrong(
    client: RecordingClient, sql_container: Container
) -> None:
    await add_user(sql_container, "dragon")
    headers = bearer(await login(client, "dragon"))

    missing = await client.post(
        "/auth/change-password", json={"new_password": OTHER_PASSWORD}, headers=headers
    )
    wrong = await client.post(
        "/auth/change-password",
        json={"current_password": "not it", "new_password": OTHER_PASSWORD},
        headers=headers,
    )
    weak = await client.post(
        "/auth/change-password",
        json={"current_password": PASSWORD, "new_password": "dragon"},
        headers=headers,
    )

    assert missing.status_code == wrong.status_code == weak.status_code == 422
    assert [e["field"] for e in missing.json()["errors"]] == ["current_password"]
    assert [e["field"] for e in wrong.json()["errors"]] == ["current_password"]
    assert {e["field"] for e in weak.json()["errors"]} == {"new_password"}
    assert len(weak.json()["errors"]) >= 3


async def test_the_username_repeated_is_no_new_password(
    client: RecordingClient, sql_container: Container
) -> None:
    admin = await add_user(sql_container, "admin", Role.ADMIN, email="admin@tms.local")
    headers = bearer(await login(client, "admin"))

    repeated = await client.post(
        "/auth/admin-change-password", json={"new_password": "admin-admin-admin"}, headers=headers
    )
    reset = await client.post(
        f"/auth/reset-password/{admin.id}", json={"new_password": "Adm1n!Adm1n!"}, headers=headers
    )

    assert repeated.status_code == reset.status_code == 422
    for refused in (repeated, reset):
        assert "This password is too similar to the username." in [
            e["message"] for e in refused.json()["errors"]
        ]
    assert await status_with(client, await login(client, "admin"), admin.id) == 200


async def test_admin_change_password_is_for_admins(
    client: RecordingClient, sql_container: Container
) -> None:
    await add_user(sql_container, "root", Role.ADMIN)
    await add_user(sql_container, "coach", Role.TRAINER)
    admin = await login(client, "root")
    trainer = await login(client, "coach")

    refused = await client.post(
        "/auth/admin-change-password",
        json={"new_password": OTHER_PASSWORD},
        headers=bearer(trainer),
    )
    done = await client.post(
        "/auth/admin-change-password/", json={"new_password": OTHER_PASSWORD}, headers=bearer(admin)
    )

    assert refused.status_code == 403
    assert done.status_code == 200
    assert await login(client, "root", OTHER_PASSWORD)
    assert await login(client, "coach")


async def test_reset_password_is_for_admins_and_needs_an_existing_user(
    client: RecordingClient, sql_container: Container
) -> None:
    alice = await add_user(sql_container, "alice")
    await add_user(sql_container, "root", Role.ADMIN)
    await add_user(sql_container, "coach", Role.TRAINER)
    admin = bearer(await login(client, "root"))
    trainer = bearer(await login(client, "coach"))
    body = {"new_password": OTHER_PASSWORD}

    by_trainer = await client.post(f"/auth/reset-password/{alice.id}", json=body, headers=trainer)
    unknown = await client.post("/auth/reset-password/999", json=body, headers=admin)
    zero = await client.post("/auth/reset-password/0", json=body, headers=admin)
    weak = await client.post(
        f"/auth/reset-password/{alice.id}", json={"new_password": "alice"}, headers=admin
    )

    assert by_trainer.status_code == 403
    assert unknown.status_code == 404
    assert zero.status_code == 422
    assert weak.status_code == 422
    assert await login(client, "alice")


# Signing out


async def test_logout_ends_this_sign_in_only(
    client: RecordingClient, sql_container: Container
) -> None:
    alice = await add_user(sql_container, "alice")
    token = await login(client, "alice")
    other = await login(client, "alice")

    response = await client.post("/auth/logout", headers=bearer(token))

    assert response.status_code == 200
    assert await status_with(client, token, alice.id) == 401
    assert await status_with(client, other, alice.id) == 200
    assert (await client.post("/auth/logout", headers=bearer(token))).status_code == 401


async def test_logout_all_ends_every_sign_in(
    client: RecordingClient, sql_container: Container
) -> None:
    alice = await add_user(sql_container, "alice")
    bob = await add_user(sql_container, "bob")
    tokens = [await login(client, "alice") for _ in range(3)]
    bobs = await login(client, "bob")

    response = await client.post("/auth/logout-all/", headers=bearer(tokens[0]))

    assert response.status_code == 200
    assert [await status_with(client, token, alice.id) for token in tokens] == [401] * 3
    assert await status_with(client, bobs, bob.id) == 200


@both_databases
async def test_sign_ins_work_on_both_databases(
    client: RecordingClient, sql_container: Container
) -> None:
    alice = await add_user(sql_container, "alice")
    first = await login(client, "alice")
    second = await login(client, "ALICE@example.org")

    await client.post("/auth/logout", headers=bearer(first))

    assert await status_with(client, first, alice.id) == 401
    assert await status_with(client, second, alice.id) == 200
