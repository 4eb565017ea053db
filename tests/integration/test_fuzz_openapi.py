"""Schemathesis against the app's own OpenAPI document, served by a real `tms serve`.

Every operation of GET /schema/openapi.json is called with generated requests, both ones
that fit the schema and ones that do not, as an admin and as a trainee. Every response must
be no 5xx, have a documented status code, content type and headers, and a body that
conforms to the documented schema; requests that break the schema must be refused (4xx).

The fuzzed admin may delete, demote or reset anyone, its own sign-in included: before each
case the test makes sure each role still has a working token, and when one is gone it makes
a fresh user of that role straight in the database (not through the API under test).
Examples per operation are bounded (TMS_FUZZ_EXAMPLES scales them) so the run stays short;
the number of cases run is printed at the end.
"""

from __future__ import annotations

import asyncio
import itertools
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, Verbosity, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from test_security_server import ADMIN_PASSWORD, SECRET_KEY, USER_PASSWORD, server_env

from conftest import make_settings
from servers import TmsServer
from support import add_user
from tms_domain.kernel import Role
from tms_entrypoints.container import Container, build_container

SCALE = float(os.environ.get("TMS_FUZZ_EXAMPLES", "1"))
EXAMPLES = {GenerationMode.POSITIVE: round(6 * SCALE), GenerationMode.NEGATIVE: round(3 * SCALE)}
ROLES = ("admin", "trainee")
POSITIVE_CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
NEGATIVE_CHECKS = [*POSITIVE_CHECKS, negative_data_rejection]


@dataclass
class Identities:
    """A working token for each role, remade in the database when the fuzzing broke one."""

    base_url: str
    container: Container
    http: requests.Session
    tokens: dict[str, str] = field(default_factory=dict)
    user_ids: dict[str, int] = field(default_factory=dict)
    doubtful: set[str] = field(default_factory=lambda: set(ROLES))
    remade: int = 0
    _names: Iterator[int] = field(default_factory=itertools.count)

    def header(self, role: str) -> dict[str, str]:
        if role in self.doubtful and not self._works(role):
            self._remake(role)
        self.doubtful.discard(role)
        return {"Authorization": f"Bearer {self.tokens[role]}"}

    def after(self, role: str, method: str, status: int) -> None:
        """A change may have cost the role its sign-in or its rights; a 401 says it did, and
        so does a 403 to an admin (a trainee hears 403 all the time)."""
        if method != "GET" or status == 401 or (status == 403 and role == "admin"):
            self.doubtful.add(role)

    def _works(self, role: str) -> bool:
        if role not in self.tokens:
            return False
        response = self.http.get(
            f"{self.base_url}/users/{self.user_ids[role]}",
            headers={"Authorization": f"Bearer {self.tokens[role]}"},
            timeout=10,
        )
        if response.status_code != 200:
            return False
        user = response.json()
        return bool(user["role"] == role and not user["is_temporary_password"])

    def _remake(self, role: str) -> None:
        async def remake() -> tuple[int, str]:
            try:
                user = await add_user(
                    self.container,
                    f"fuzz-{role}-{next(self._names)}",
                    Role(role),
                    password=USER_PASSWORD,
                )
                signed_in = await self.container.auth().sign_in(user.username, USER_PASSWORD)
                return user.id, signed_in.access_token
            finally:
                # Its connections belong to this event loop, which ends here.
                await self.container.engine().dispose()

        self.user_ids[role], self.tokens[role] = asyncio.run(remake())
        self.remade += 1


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TmsServer]:
    directory = tmp_path_factory.mktemp("fuzz")
    env = server_env(f"sqlite+aiosqlite:///{directory / 'tms.db'}", directory)
    started = TmsServer(env, directory)
    started.start()
    try:
        yield started
    finally:
        started.stop()


@pytest.fixture(scope="module")
def identities(server: TmsServer) -> Iterator[Identities]:
    database_url = server.env["TMS_DATABASE_URL"]
    container = build_container(make_settings(database_url=database_url, secret_key=SECRET_KEY))
    with requests.Session() as http:
        found = Identities(server.url, container, http)
        seed(found)
        yield found
    # Only its synchronous resources (the hasher) were started: they stop without a loop.
    container.shutdown_resources()


def seed(identities: Identities) -> None:
    """A little of everything, with small ids the generated ones will hit."""
    base = identities.base_url
    http = identities.http
    login = http.post(
        f"{base}/auth/login", json={"username": "admin", "password": ADMIN_PASSWORD}, timeout=10
    )
    assert login.status_code == 200, login.text
    admin = {"Authorization": f"Bearer {login.json()['access_token']}"}

    def post(path: str, body: dict[str, object]) -> dict[str, object]:
        response = http.post(f"{base}{path}", json=body, headers=admin, timeout=10)
        assert response.status_code in (200, 201), f"{path}: {response.text}"
        return dict(response.json())

    people: dict[str, int] = {}
    for name, role in (("tina", "trainer"), ("pia", "trainee"), ("paul", "trainee")):
        created = post(
            "/users/",
            {
                "username": name,
                "email": f"{name}@example.org",
                "first_name": name.title(),
                "last_name": "Seed",
                "role": role,
                "password": USER_PASSWORD,
                "is_temporary_password": False,
            },
        )
        people[name] = int(created["user"]["id"])  # type: ignore[index]
    session = post(
        "/sessions/",
        {
            "title": "Seeded",
            "trainer_id": people["tina"],
            "trainees": [people["pia"], people["paul"]],
            "scheduled_date": "2026-06-01T09:00:00+00:00",
            "duration_minutes": 90,
        },
    )
    post("/assignments/", {"student_id": people["pia"], "teacher_id": people["tina"]})
    post(
        "/attendance/", {"session_id": session["id"], "trainee_id": people["pia"], "present": True}
    )


@pytest.fixture(scope="module")
def api_schema(server: TmsServer) -> schemathesis.BaseSchema:
    return schemathesis.openapi.from_url(f"{server.url}/schema/openapi.json")


@dataclass
class Tally:
    cases: int = 0
    statuses: dict[int, int] = field(default_factory=dict)


TALLY = Tally()


@pytest.fixture(scope="module", autouse=True)
def report_the_count(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    by_status = ", ".join(f"{code}: {n}" for code, n in sorted(TALLY.statuses.items()))
    plugins = request.config.pluginmanager
    reporter, capture = plugins.get_plugin("terminalreporter"), plugins.get_plugin("capturemanager")
    if reporter is not None and capture is not None:
        with capture.global_and_fixture_disabled():
            reporter.write_line(f"\nschemathesis ran {TALLY.cases} cases ({by_status})")


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_every_operation_answers_as_documented(
    api_schema: schemathesis.BaseSchema,
    identities: Identities,
    role: str,
    mode: GenerationMode,
) -> None:
    checks = POSITIVE_CHECKS if mode is GenerationMode.POSITIVE else NEGATIVE_CHECKS
    failures: list[str] = []
    operations = 0
    for result in api_schema.get_all_operations():
        operation = result.ok()
        operations += 1

        @settings(
            max_examples=EXAMPLES[mode],
            deadline=None,
            database=None,
            derandomize=True,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
            verbosity=Verbosity.quiet,
        )
        @given(case=operation.as_strategy(generation_mode=mode))
        def fuzz(case: schemathesis.Case) -> None:
            response = case.call(headers=identities.header(role), timeout=15)
            identities.after(role, case.method.upper(), response.status_code)
            TALLY.cases += 1
            TALLY.statuses[response.status_code] = TALLY.statuses.get(response.status_code, 0) + 1
            case.validate_response(response, checks=checks)

        try:
            fuzz()
        except Unsatisfiable:
            assert mode is GenerationMode.NEGATIVE  # nothing to break in a call without input
        except (Exception, BaseExceptionGroup) as error:  # report every operation's failures
            failures.append(f"{operation.label} as {role} ({mode.value}):\n{error}")
    assert operations >= 30
    assert failures == [], "\n\n".join(failures)


def test_the_fuzzing_left_the_server_healthy(server: TmsServer, identities: Identities) -> None:
    assert server.process is not None
    assert server.process.poll() is None
    response = identities.http.get(f"{server.url}/health", timeout=10)
    assert response.status_code == 200
    assert "Traceback" not in Path(server.log_path).read_text(errors="replace")
