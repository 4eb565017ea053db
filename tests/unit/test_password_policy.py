"""The password policy: length, common passwords, similarity, and temporary passwords."""

from __future__ import annotations

import math
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tms_adapters.security import ZxcvbnGuessEstimator, load_common_passwords
from tms_domain.accounts import (
    UNAMBIGUOUS_ALPHABET,
    PasswordPolicy,
    generate_temporary_password,
    normalize_password,
)
from tms_domain.kernel import FieldError, InvalidInput

TOO_SHORT = "This password is too short: it must contain at least 8 characters."
TOO_LONG = "This password is too long: it must contain at most 128 characters."
TOO_COMMON = "This password is too common."

POLICY = PasswordPolicy(common_passwords=frozenset({"password", "qwertyuiop", "letmein1"}))


def messages(errors: list[FieldError]) -> list[str]:
    return [error.message for error in errors]


def test_a_long_uncommon_unrelated_password_passes() -> None:
    assert POLICY.violations("correct horse battery staple", username="alice") == []


def test_no_composition_rules_apply() -> None:
    assert POLICY.violations("all lower case words") == []
    assert POLICY.violations("8924061753") == []


def test_a_short_password_is_refused_with_the_minimum_named() -> None:
    assert POLICY.violations("k3#pQ") == [FieldError("new_password", TOO_SHORT)]


def test_a_one_character_minimum_is_named_in_the_singular() -> None:
    assert messages(PasswordPolicy(min_length=1).violations("")) == [
        "This password is too short: it must contain at least 1 character."
    ]


def test_a_long_password_is_refused_with_the_maximum_named() -> None:
    assert messages(POLICY.violations("x7" * 65)) == [TOO_LONG]
    assert POLICY.violations("x7" * 64) == []


@pytest.mark.parametrize("password", ["password", "PassWord", "  QWERTYuiop ", "LetMeIn1"])
def test_a_common_password_is_refused_whatever_its_case(password: str) -> None:
    assert messages(POLICY.violations(password)) == [TOO_COMMON]


@pytest.mark.parametrize(
    ("password", "details", "label"),
    [
        ("JaneDoe1987", {"username": "janedoe1987"}, "username"),
        ("jane.doe@mail.test", {"email": "jane.doe@mail.test"}, "email address"),
        ("jane.doe!", {"email": "jane.doe@mail.test"}, "email address"),
        ("Bartholomew", {"first_name": "Bartholomew"}, "first name"),
        ("Montgomery7", {"last_name": "Gray-Montgomery"}, "last name"),
    ],
)
def test_a_password_like_the_users_details_is_refused(
    password: str, details: dict[str, str], label: str
) -> None:
    assert messages(POLICY.violations(password, **details)) == [
        f"This password is too similar to the {label}."
    ]


def test_a_password_unlike_the_users_details_passes() -> None:
    assert (
        POLICY.violations(
            "violet tractor sings",
            username="jdoe",
            email="jane.doe@mail.test",
            first_name="Jane",
            last_name="Doe",
        )
        == []
    )


# Built on the user's details: the estimator

ESTIMATING = PasswordPolicy(
    common_passwords=load_common_passwords(), guess_estimator=ZxcvbnGuessEstimator()
)
ADMIN = {"username": "admin", "email": "admin@tms.local"}


@pytest.mark.parametrize(
    ("password", "details", "labels"),
    [
        ("admin-admin-admin", ADMIN, ["username", "email address"]),
        ("ADMINADMINADMIN", ADMIN, ["username", "email address"]),
        ("4dm1n-4dm1n-4dm1n", ADMIN, ["username", "email address"]),
        ("nimda.nimda.nimda", ADMIN, ["username", "email address"]),
        ("admin_2026_admin", ADMIN, ["username", "email address"]),
        ("tms.local.tms.local", ADMIN, ["email address"]),
        ("pia2026!pia", {"username": "pia.k", "first_name": "Pia"}, ["username", "first name"]),
        ("Montgomery-1987!", {"last_name": "Montgomery"}, ["last name"]),
        ("admin-" * 20, ADMIN, ["username", "email address"]),
    ],
)
def test_a_password_built_on_the_users_details_is_refused(
    password: str, details: dict[str, str], labels: list[str]
) -> None:
    assert messages(ESTIMATING.violations(password, **details)) == [
        f"This password is too similar to the {label}." for label in labels
    ]


@pytest.mark.parametrize(
    "password",
    [
        "correct horse battery staple",
        "bench admin passphrase 2026",
        "alice-blue-kettle-sings",
        "violet tractor sings",
        "kR7#pQ2mWx9z",
    ],
)
def test_a_strong_password_may_mention_a_detail(password: str) -> None:
    assert ESTIMATING.violations(password, username="alice", **{"email": ADMIN["email"]}) == []


def test_the_estimator_is_not_asked_without_details() -> None:
    assert ESTIMATING.violations("admin-admin-admin") == []
    assert generate_temporary_password(ESTIMATING)


def test_every_violation_is_reported_together_on_the_named_field() -> None:
    policy = PasswordPolicy(common_passwords=frozenset({"admin"}))

    errors = policy.violations("Admin", username="admin", email="admin@x.test", field="password")

    assert errors == [
        FieldError("password", TOO_SHORT),
        FieldError("password", TOO_COMMON),
        FieldError("password", "This password is too similar to the username."),
        FieldError("password", "This password is too similar to the email address."),
    ]


def test_check_raises_invalid_input_listing_every_violation() -> None:
    with pytest.raises(InvalidInput) as raised:
        POLICY.check("passwor", username="passwor")

    assert raised.value.message == "Password does not meet the policy"
    assert messages(raised.value.errors) == [
        TOO_SHORT,
        "This password is too similar to the username.",
    ]


def test_check_returns_the_normalised_password() -> None:
    assert POLICY.check("ﬁne Ⅻ apples") == "fine XII apples"


def test_compatibility_forms_count_as_the_password_they_spell() -> None:
    assert messages(POLICY.violations("ｐａｓｓｗｏｒｄ")) == [TOO_COMMON]


@pytest.mark.parametrize(
    "settings",
    [{"min_length": 0}, {"min_length": 10, "max_length": 9}, {"max_similarity": 0.05}],
)
def test_an_impossible_policy_is_refused(settings: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="must be"):
        PasswordPolicy(**settings)


@given(st.text())
def test_normalisation_is_idempotent(text: str) -> None:
    once = normalize_password(text)
    assert normalize_password(once) == once


@given(
    password=st.text(max_size=40),
    min_length=st.integers(1, 20),
    extra_length=st.integers(0, 20),
    in_common_list=st.booleans(),
    reused_as_username=st.booleans(),
)
def test_every_rule_broken_is_reported_once_and_no_other(
    password: str,
    min_length: int,
    extra_length: int,
    in_common_list: bool,
    reused_as_username: bool,
) -> None:
    normalized = normalize_password(password)
    max_length = min_length + extra_length
    common = frozenset({normalized.strip().lower()} if in_common_list else ())
    policy = PasswordPolicy(min_length=min_length, max_length=max_length, common_passwords=common)

    errors = policy.violations(
        password, username=password if reused_as_username else "", field="password"
    )

    # Lengths count the normalised password, not what was typed.
    expected = {
        "too short": len(normalized) < min_length,
        "too long": len(normalized) > max_length,
        "too common": in_common_list,
        "too similar to the username": reused_as_username and password != "",
    }
    reported = {rule: sum(rule in error.message for error in errors) for rule in expected}
    assert reported == {rule: int(broken) for rule, broken in expected.items()}
    assert len(errors) == sum(expected.values())
    assert all(error.field == "password" for error in errors)


def test_the_alphabet_and_length_give_at_least_80_bits() -> None:
    password = generate_temporary_password(POLICY)
    symbols = password.replace("-", "")

    assert len(set(UNAMBIGUOUS_ALPHABET)) == len(UNAMBIGUOUS_ALPHABET) == 32
    assert set(symbols) <= set(UNAMBIGUOUS_ALPHABET)
    assert len(symbols) * math.log2(len(UNAMBIGUOUS_ALPHABET)) >= 80
    assert not set("ilou") & set(UNAMBIGUOUS_ALPHABET)


def test_a_temporary_password_reads_in_groups_of_five() -> None:
    groups = generate_temporary_password(POLICY).split("-")

    assert [len(group) for group in groups] == [5, 5, 5, 5]


def test_temporary_passwords_are_unique() -> None:
    passwords = {generate_temporary_password(POLICY) for _ in range(2000)}

    assert len(passwords) == 2000


@given(min_length=st.integers(1, 60), max_similarity=st.floats(0.1, 1.0))
def test_a_temporary_password_always_meets_the_policy(
    min_length: int, max_similarity: float
) -> None:
    policy = PasswordPolicy(
        min_length=min_length,
        max_length=128,
        common_passwords=POLICY.common_passwords,
        max_similarity=max_similarity,
    )

    password = generate_temporary_password(policy)

    assert policy.violations(password) == []
    assert len(password) >= min_length


def test_a_policy_too_tight_for_a_temporary_password_is_reported() -> None:
    with pytest.raises(ValueError, match="temporary password needs 23 characters"):
        generate_temporary_password(PasswordPolicy(min_length=8, max_length=16))
