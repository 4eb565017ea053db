"""The security adapters for real: argon2id hashing, legacy pbkdf2 hashes, JWT access tokens,
and the bundled common-password list."""

from __future__ import annotations

import asyncio
import base64
import json
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from jose import jws

from tms_adapters.security import Argon2PasswordHasher, JoseTokenService, load_common_passwords
from tms_domain.accounts import PasswordPolicy
from tms_domain.kernel import AuthenticationFailed

# Made with passlib 1.7.4: passlib.hash.pbkdf2_sha256.hash(password), the last one
# with .using(rounds=1000); the earlier system stored hashes in this form.
LEGACY_HASHES = {
    "correct horse battery staple": (
        "$pbkdf2-sha256$29000$DgEAwPj/P0foHaOUsjZGqA$dwHrrpYVhEmtZYEnMJ3Twd4e82jEt5CwlVPrS1tgFuw"
    ),
    "Tr4ining!2019": (
        "$pbkdf2-sha256$29000$WGvNWet9r5UyRogRIsT4Hw$8yHMm5gshrX9PjebYER6OL7h1E2tPr/ZWitoi5.i2o4"
    ),
    "pässwörd-ünïcode": (
        "$pbkdf2-sha256$29000$5XyPkRIC4HxPSckZY2yN8Q$OjkUV3JahM3.bLrzBoVrVzBaXx8Rj0qcFcPo.qAk8gE"
    ),
    "short rounds": (
        "$pbkdf2-sha256$1000$7v1/L.Ucg1AKIcQYA4BQig$aP3S2k3/h3W/twzG5G7iImN7fRTdRChe3nbXuhfOWZQ"
    ),
}

SECRET = "test-secret-key-of-at-least-32-bytes!"
START = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)
REFUSAL = "Invalid or expired token"


@pytest.fixture
async def hasher() -> AsyncIterator[Argon2PasswordHasher]:
    fast = Argon2PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1, max_workers=2)
    yield fast
    fast.shutdown()


# Hashing


async def test_a_password_verifies_against_its_own_hash_only(
    hasher: Argon2PasswordHasher,
) -> None:
    password_hash = await hasher.hash("correct horse battery staple")

    assert password_hash.startswith("$argon2id$v=19$m=1024,t=1,p=1$")
    assert await hasher.verify(password_hash, "correct horse battery staple")
    assert not await hasher.verify(password_hash, "correct horse battery stapler")
    assert await hasher.hash("correct horse battery staple") != password_hash


async def test_the_default_parameters_are_owasp_recommended_argon2id() -> None:
    hasher = Argon2PasswordHasher()
    try:
        password_hash = await hasher.hash("ünïcode pässword")

        assert password_hash.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
        assert await hasher.verify(password_hash, "ünïcode pässword")
        assert not hasher.needs_rehash(password_hash)
    finally:
        hasher.shutdown()


@pytest.mark.parametrize(
    "malformed",
    [
        "",
        "not a hash",
        "$argon2id$v=19$m=1024,t=1,p=1$!!!!$!!!!",
        "$argon2id$v=19$m=1024,t=1,p=1$c2FsdHNhbHRzYWx0",
        "$argon2id$v=19$m=1024,t=1,p=1$c2FsdHNhbHRzYWx0c2FsdA$",
        "$pbkdf2-sha256$29000$$",
        "$pbkdf2-sha256$0$DgEAwPj/P0foHaOUsjZGqA$dwHrrpYVhEmtZYEnMJ3Twd4e82jEt5CwlVPrS1tgFuw",
        "$pbkdf2-sha256$29000$DgEAwPj/P0foHaOUsjZGqA$dwHrrpYVhEmtZYEnMJ3Twd4e82jEt5Cw",
        "$pbkdf2-sha256$29000$DgEAwPj/P0foHaOUsjZGqA$dwHrrpYVhEmtZYEnMJ3Twd4e82jEt5CwlVPrS1tgFuw=",
        "$pbkdf2-sha256$99999999999$DgEAwPj/P0foHaOUsjZGqA$dwHrrpYVhEmtZYEnMJ3Twd4e82jEt5CwlVPrS1tgFuw",
        "$2b$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW",
    ],
)
async def test_a_malformed_hash_does_not_match_and_does_not_raise(
    hasher: Argon2PasswordHasher, malformed: str
) -> None:
    assert not await hasher.verify(malformed, "correct horse battery staple")
    assert hasher.needs_rehash(malformed)


async def test_a_password_that_cannot_be_encoded_does_not_match(
    hasher: Argon2PasswordHasher,
) -> None:
    password_hash = await hasher.hash("correct horse battery staple")

    assert not await hasher.verify(password_hash, "lone \ud800 surrogate")
    assert not await hasher.verify(LEGACY_HASHES["short rounds"], "lone \ud800 surrogate")


async def test_a_hash_needs_rehashing_once_the_parameters_change(
    hasher: Argon2PasswordHasher,
) -> None:
    password_hash = await hasher.hash("correct horse battery staple")
    stronger = Argon2PasswordHasher(time_cost=2, memory_cost=1024, parallelism=1, max_workers=1)
    try:
        assert not hasher.needs_rehash(password_hash)
        assert stronger.needs_rehash(password_hash)
        assert await stronger.verify(password_hash, "correct horse battery staple")
    finally:
        stronger.shutdown()


@pytest.mark.parametrize(("password", "legacy_hash"), LEGACY_HASHES.items())
async def test_a_legacy_pbkdf2_hash_verifies_and_needs_rehashing(
    hasher: Argon2PasswordHasher, password: str, legacy_hash: str
) -> None:
    assert await hasher.verify(legacy_hash, password)
    assert not await hasher.verify(legacy_hash, password + " ")
    assert not await hasher.verify(legacy_hash, password.upper())
    assert hasher.needs_rehash(legacy_hash)


@pytest.mark.serial  # compares CPU-bound timings: other tests would skew them
async def test_burning_costs_about_one_verification() -> None:
    hasher = Argon2PasswordHasher(max_workers=1)
    try:
        password_hash = await hasher.hash("correct horse battery staple")
        verify_seconds = min([await _timed(hasher.verify(password_hash, "wrong")) for _ in "abc"])
        burn_seconds = min([await _timed(hasher.burn("wrong")) for _ in "abc"])
    finally:
        hasher.shutdown()

    assert verify_seconds / 2 < burn_seconds < verify_seconds * 2


@pytest.mark.serial  # compares CPU-bound timings: other tests would skew them
async def test_a_legacy_hash_costs_what_an_argon2_verification_costs() -> None:
    hasher = Argon2PasswordHasher(max_workers=1)
    try:
        password_hash = await hasher.hash("correct horse battery staple")
        legacy_hash = LEGACY_HASHES["short rounds"]
        # Interleaved, the least of seven each: a burst of load from elsewhere on the machine
        # slows both kinds alike rather than one.
        verify_times: list[float] = []
        legacy_times: list[float] = []
        for _ in range(7):
            verify_times.append(await _timed(hasher.verify(password_hash, "wrong")))
            legacy_times.append(await _timed(hasher.verify(legacy_hash, "wrong")))
        verify_seconds, legacy_seconds = min(verify_times), min(legacy_times)
        matched = await hasher.verify(legacy_hash, "short rounds")
    finally:
        hasher.shutdown()

    assert matched
    assert hasher.hashes_as_typed(legacy_hash)
    assert not hasher.hashes_as_typed(password_hash)
    assert verify_seconds / 2 < legacy_seconds < verify_seconds * 2


@pytest.mark.serial  # compares CPU-bound timings: other tests would skew them
async def test_hashing_leaves_the_event_loop_free() -> None:
    hasher = Argon2PasswordHasher(time_cost=6, max_workers=2)
    try:
        one_hash_seconds = await _timed(hasher.hash("warm-up"))
        gaps: list[float] = []
        hashing = asyncio.gather(*(hasher.hash(f"password {n}") for n in range(4)))
        while not hashing.done():
            before = time.perf_counter()
            await asyncio.sleep(0.01)
            gaps.append(time.perf_counter() - before)
        await hashing
    finally:
        hasher.shutdown()

    # Four hashes on two workers take two hash times; the loop kept ticking throughout.
    assert len(gaps) >= 10
    assert max(gaps) < one_hash_seconds / 3, (max(gaps), one_hash_seconds)


async def _timed(work: Any) -> float:
    start = time.perf_counter()
    await work
    return time.perf_counter() - start


# Common passwords


def test_the_bundled_list_holds_many_lower_case_common_passwords() -> None:
    common = load_common_passwords()

    assert len(common) >= 10_000
    assert {"password", "123456", "qwerty", "letmein"} <= common
    assert all(entry == entry.strip().lower() and entry for entry in common)


@pytest.mark.parametrize("password", ["password", "Password1", "ｑｗｅｒｔｙｕｉｏｐ", "iloveyou"])
def test_the_policy_with_the_bundled_list_refuses_common_passwords(password: str) -> None:
    policy = PasswordPolicy(common_passwords=load_common_passwords())

    assert [error.message for error in policy.violations(password)] == [
        "This password is too common."
    ]


# Tokens


@dataclass
class FakeClock:
    now: datetime

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START)


@pytest.fixture
def tokens(clock: FakeClock) -> JoseTokenService:
    return JoseTokenService(SECRET, clock=clock)


@pytest.fixture
def token(tokens: JoseTokenService) -> str:
    return tokens.issue(user_id=42, sign_in_id="s-1", expires_at=START + timedelta(minutes=15))


def assert_refused(tokens: JoseTokenService, token: str) -> None:
    with pytest.raises(AuthenticationFailed) as refused:
        tokens.read(token)
    assert refused.value.message == REFUSAL


def b64url(data: bytes | dict[str, Any]) -> str:
    raw = json.dumps(data).encode() if isinstance(data, dict) else data
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def b64url_json(part: str) -> dict[str, Any]:
    decoded: dict[str, Any] = json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
    return decoded


def segments(token: str) -> tuple[dict[str, Any], dict[str, Any], str]:
    header, payload, signature = token.split(".")
    return b64url_json(header), b64url_json(payload), signature


def valid_claims(**changes: Any) -> dict[str, Any]:
    claims = {
        "sub": "42",
        "sid": "s-1",
        "iat": int(START.timestamp()),
        "exp": int((START + timedelta(minutes=15)).timestamp()),
        "iss": "tms",
        "typ": "access",
    }
    claims.update(changes)
    return {name: value for name, value in claims.items() if value is not None}


def test_a_token_reads_back_as_the_user_and_sign_in(tokens: JoseTokenService, token: str) -> None:
    assert tokens.read(token) == (42, "s-1")


def test_a_token_carries_the_documented_claims(token: str) -> None:
    header, claims, _ = segments(token)

    assert header == {"alg": "HS256", "typ": "JWT"}
    assert claims == valid_claims()


def test_a_token_signed_with_the_key_but_crafted_with_the_same_claims_reads(
    tokens: JoseTokenService,
) -> None:
    assert tokens.read(jws.sign(valid_claims(), SECRET, algorithm="HS256")) == (42, "s-1")


def test_a_token_works_until_it_expires(
    tokens: JoseTokenService, token: str, clock: FakeClock
) -> None:
    clock.now = START + timedelta(minutes=15) - timedelta(seconds=1)
    assert tokens.read(token) == (42, "s-1")

    clock.now = START + timedelta(minutes=15)
    assert_refused(tokens, token)


def test_a_tampered_payload_is_refused(tokens: JoseTokenService, token: str) -> None:
    header, _, signature = token.split(".")

    assert_refused(tokens, f"{header}.{b64url(valid_claims(sub='1'))}.{signature}")


def test_a_tampered_signature_is_refused(tokens: JoseTokenService, token: str) -> None:
    middle = len(token) - 20
    flipped = "A" if token[middle] != "A" else "B"

    assert_refused(tokens, token[:middle] + flipped + token[middle + 1 :])


def test_a_token_signed_with_another_key_is_refused(
    tokens: JoseTokenService, clock: FakeClock
) -> None:
    other = JoseTokenService("another-secret-key-of-32-bytes-or-more", clock=clock)

    assert_refused(
        tokens, other.issue(user_id=42, sign_in_id="s-1", expires_at=START + timedelta(1))
    )


def test_a_token_from_another_issuer_is_refused(tokens: JoseTokenService, clock: FakeClock) -> None:
    other = JoseTokenService(SECRET, issuer="elsewhere", clock=clock)

    assert_refused(
        tokens, other.issue(user_id=42, sign_in_id="s-1", expires_at=START + timedelta(1))
    )


@pytest.mark.parametrize(
    "claims",
    [
        valid_claims(typ="refresh"),
        valid_claims(typ=None),
        valid_claims(iss=None),
        valid_claims(sub=None),
        valid_claims(sub=42),
        valid_claims(sub="0"),
        valid_claims(sub="-4"),
        valid_claims(sub="42abc"),
        valid_claims(sub="9" * 30),
        valid_claims(sid=None),
        valid_claims(sid=""),
        valid_claims(sid=7),
        valid_claims(exp=None),
        valid_claims(exp="2099-01-01"),
        valid_claims(exp=True),
        valid_claims(exp=float(START.timestamp() + 600)),
        valid_claims(iat=None),
        valid_claims(iat="now"),
    ],
    ids=lambda claims: json.dumps(claims),
)
def test_a_validly_signed_token_with_wrong_or_missing_claims_is_refused(
    tokens: JoseTokenService, claims: dict[str, Any]
) -> None:
    assert_refused(tokens, jws.sign(claims, SECRET, algorithm="HS256"))


@pytest.mark.parametrize("payload", [b"[]", b'"a string"', b"42", b"not json", b"\xff\xfe"])
def test_a_validly_signed_token_whose_payload_is_no_claims_object_is_refused(
    tokens: JoseTokenService, payload: bytes
) -> None:
    assert_refused(tokens, jws.sign(payload, SECRET, algorithm="HS256"))


@pytest.mark.parametrize("signature", ["", "c2lnbmF0dXJl"])
def test_an_alg_none_token_is_refused(tokens: JoseTokenService, signature: str) -> None:
    header = b64url({"alg": "none", "typ": "JWT"})

    assert_refused(tokens, f"{header}.{b64url(valid_claims())}.{signature}")


def test_an_hs512_token_is_refused_when_hs256_is_configured(tokens: JoseTokenService) -> None:
    assert_refused(tokens, jws.sign(valid_claims(), SECRET, algorithm="HS512"))


def test_an_rs256_header_is_refused(tokens: JoseTokenService, token: str) -> None:
    _, payload, signature = token.split(".")

    assert_refused(tokens, f"{b64url({'alg': 'RS256', 'typ': 'JWT'})}.{payload}.{signature}")


@pytest.mark.parametrize(
    "extra_header",
    [{"zip": "DEF"}, {"kid": "1"}, {"jku": "https://attacker.test/keys"}, {"crit": ["exp"]}],
)
def test_a_validly_signed_token_with_an_unexpected_header_is_refused(
    tokens: JoseTokenService, extra_header: dict[str, Any]
) -> None:
    assert_refused(tokens, jws.sign(valid_claims(), SECRET, headers=extra_header))


def test_an_oversize_token_is_refused(tokens: JoseTokenService) -> None:
    expires_at = START + timedelta(minutes=15)
    fits = tokens.issue(user_id=42, sign_in_id="s" * 2900, expires_at=expires_at)
    oversize = tokens.issue(user_id=42, sign_in_id="s" * 3200, expires_at=expires_at)

    assert len(fits) <= 4096 < len(oversize)
    assert tokens.read(fits) == (42, "s" * 2900)
    assert_refused(tokens, oversize)


def test_a_deeply_nested_header_is_refused(tokens: JoseTokenService, token: str) -> None:
    _, payload, signature = token.split(".")
    header = b64url(b"[" * 1400 + b"]" * 1400)

    assert_refused(tokens, f"{header}.{payload}.{signature}")


@pytest.mark.parametrize(
    "garbage",
    ["", "abc", "a.b", "a.b.c", "..", "a.b.c.d", "Bearer x.y.z", "ünï.cö.de", "e30.e30.e30"],
)
def test_garbage_is_refused(tokens: JoseTokenService, garbage: str) -> None:
    assert_refused(tokens, garbage)


def test_trailing_characters_after_a_valid_token_are_refused(
    tokens: JoseTokenService, token: str
) -> None:
    assert_refused(tokens, token + "!")
    assert_refused(tokens, token + ".")
    assert_refused(tokens, " " + token)


@given(st.text(max_size=300) | st.from_regex(r"[A-Za-z0-9_-]{0,60}(\.[A-Za-z0-9_=-]{0,60}){2}"))
def test_any_string_is_read_or_refused_never_crashes(garbage: str) -> None:
    service = JoseTokenService(SECRET, clock=FakeClock(START))

    with pytest.raises(AuthenticationFailed):
        service.read(garbage)


@pytest.mark.parametrize("algorithm", ["none", "None", "RS256", "ES256", "PS256", "HS1", ""])
def test_a_service_refuses_to_use_a_non_hmac_algorithm(algorithm: str) -> None:
    with pytest.raises(ValueError, match="algorithm"):
        JoseTokenService(SECRET, algorithm=algorithm, clock=FakeClock(START))


def test_a_service_refuses_a_short_secret() -> None:
    with pytest.raises(ValueError, match="32 bytes"):
        JoseTokenService("too short", clock=FakeClock(START))


@pytest.mark.parametrize("algorithm", ["HS384", "HS512"])
def test_other_hmac_algorithms_round_trip(algorithm: str, clock: FakeClock) -> None:
    service = JoseTokenService(SECRET, algorithm=algorithm, clock=clock)
    token = service.issue(user_id=7, sign_in_id="s-9", expires_at=START + timedelta(hours=1))

    assert segments(token)[0]["alg"] == algorithm
    assert service.read(token) == (7, "s-9")
    assert_refused(JoseTokenService(SECRET, clock=clock), token)


def test_an_expiry_without_a_timezone_is_refused(tokens: JoseTokenService) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        tokens.issue(user_id=1, sign_in_id="s", expires_at=datetime(2026, 5, 1, 10))  # noqa: DTZ001
