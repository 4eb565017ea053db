"""The settings users read about are the settings the code has: .env.example lists every
one with its real default, and bad values are refused with the setting's name."""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path

import pytest
from dotenv import dotenv_values

from tms_entrypoints.settings import PREFIX, Settings, SettingsError

EXAMPLE = Path(__file__).resolve().parents[2] / ".env.example"


def test_the_example_lists_every_setting_and_nothing_else() -> None:
    listed = set(dotenv_values(EXAMPLE))
    expected = {PREFIX + item.name.upper() for item in fields(Settings)}
    assert listed == expected


def test_the_example_gives_the_defaults() -> None:
    """Loading the example changes nothing but the database path (written relative to the
    project there, absolute in the default)."""
    example = Settings.from_env(environ={}, env_file=EXAMPLE)
    default = Settings()
    for item in fields(Settings):
        if item.name == "database_url":
            assert example.database_url.endswith("var/tms.db")
            assert default.database_url.endswith("var/tms.db")
            continue
        assert getattr(example, item.name) == getattr(default, item.name), item.name


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("TMS_PORT", "eighty", "TMS_PORT must be a whole number"),
        ("TMS_PORT", "70000", "TMS_PORT must be between 1 and 65535"),
        ("TMS_AUTO_MIGRATE", "maybe", "TMS_AUTO_MIGRATE must be true or false"),
        ("TMS_CORS_ORIGINS", "*", "TMS_CORS_ORIGINS cannot be '*'"),
        ("TMS_STORAGE", "disk", "TMS_STORAGE must be sql or memory"),
        ("TMS_DB_TIMEOUT_SECONDS", "0", "TMS_DB_TIMEOUT_SECONDS must be at least 1"),
        ("TMS_DB_POOL_SIZE", "0", "TMS_DB_POOL_SIZE must be at least 1"),
        ("TMS_DB_POOL_TIMEOUT_SECONDS", "0", "TMS_DB_POOL_TIMEOUT_SECONDS must be at least 1"),
        ("TMS_REPORTS_MAX_CONCURRENT", "0", "TMS_REPORTS_MAX_CONCURRENT must be at least 1"),
        ("TMS_REPORTS_MAX_PER_USER", "-1", "TMS_REPORTS_MAX_PER_USER must be at least 1"),
        ("TMS_WS_REPLAY_LIMIT", "-1", "TMS_WS_REPLAY_LIMIT must be 0 or more"),
        ("TMS_WS_REPLAYS_PER_MINUTE", "-1", "TMS_WS_REPLAYS_PER_MINUTE must be 0 or more"),
        ("TMS_WS_MAX_SOCKETS_PER_USER", "-2", "TMS_WS_MAX_SOCKETS_PER_USER must be 0 or more"),
        ("TMS_METRICS_TOKEN", "short-token", "TMS_METRICS_TOKEN must be at least 16 characters"),
        ("TMS_SHUTDOWN_TIMEOUT_SECONDS", "0", "TMS_SHUTDOWN_TIMEOUT_SECONDS must be at least 1"),
        ("TMS_LOG_FORMAT", "xml", "TMS_LOG_FORMAT must be text or json"),
        ("TMS_UPLOAD_MAX_BYTES", "0", "TMS_UPLOAD_MAX_BYTES must be at least 1"),
        ("TMS_UPLOAD_MAX_BYTES", "50MB", "TMS_UPLOAD_MAX_BYTES must be a whole number"),
        ("TMS_BODY_MIN_RATE_BYTES", "-1", "TMS_BODY_MIN_RATE_BYTES must be 0"),
        ("TMS_STORAGE_URL", "ftp://files.example.org/tms", "TMS_STORAGE_URL is neither a folder"),
        ("TMS_STORAGE_URL", "s3:///prefix", "TMS_STORAGE_URL names no bucket"),
        ("TMS_ARGON2_TIME_COST", "0", "TMS_ARGON2_TIME_COST must be between 1 and 100"),
        ("TMS_ARGON2_TIME_COST", "two", "TMS_ARGON2_TIME_COST must be a whole number"),
        ("TMS_ARGON2_PARALLELISM", "0", "TMS_ARGON2_PARALLELISM must be between 1 and 64"),
        ("TMS_ARGON2_MEMORY_KIB", "512", "TMS_ARGON2_MEMORY_KIB must be between 1024"),
        ("TMS_ARGON2_MEMORY_KIB", "5000000", "TMS_ARGON2_MEMORY_KIB must be between 1024"),
        ("TMS_HASH_WORKERS", "-1", "TMS_HASH_WORKERS must be 0"),
    ],
)
def test_a_bad_value_is_refused_by_name(name: str, value: str, message: str) -> None:
    with pytest.raises(SettingsError, match=message):
        Settings.from_env(environ={name: value}, env_file=None)


def test_production_needs_a_long_secret_key() -> None:
    with pytest.raises(SettingsError, match="TMS_SECRET_KEY"):
        Settings.from_env(
            environ={"TMS_ENV": "production", "TMS_SECRET_KEY": "short"}, env_file=None
        )


def test_uploaded_files_go_under_the_data_directory_unless_told() -> None:
    assert Settings(var_dir="/srv/tms").files_url == "/srv/tms/files"
    assert Settings(storage_url="s3://bucket/tms").files_url == "s3://bucket/tms"


def test_argon2_defaults_are_owasps_recommendation() -> None:
    settings = Settings.from_env(environ={}, env_file=None)
    assert (
        settings.argon2_memory_kib,
        settings.argon2_time_cost,
        settings.argon2_parallelism,
    ) == (19 * 1024, 2, 1)


def test_other_argon2_parameters_can_be_chosen() -> None:
    chosen = Settings.from_env(
        environ={
            "TMS_ARGON2_MEMORY_KIB": "47104",
            "TMS_ARGON2_TIME_COST": "1",
            "TMS_ARGON2_PARALLELISM": "2",
        },
        env_file=None,
    )
    assert (chosen.argon2_memory_kib, chosen.argon2_time_cost, chosen.argon2_parallelism) == (
        47104,
        1,
        2,
    )
