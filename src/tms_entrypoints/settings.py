"""Typed settings, read once from the environment (TMS_*) and an optional .env file."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any, Literal

from dotenv import dotenv_values

from tms_adapters.persistence.sql import url_problem
from tms_adapters.storage import files_url_problem
from tms_domain.accounts.sso import DEFAULT_ROLES_CLAIM, RoleMap, RoleMapError

PREFIX = "TMS_"
MIN_METRICS_TOKEN_LENGTH = 16
MIN_ARGON2_MEMORY_KIB = 1024
MAX_ARGON2_MEMORY_KIB = 4 * 1024 * 1024
MAX_ARGON2_TIME_COST = 100
MAX_ARGON2_PARALLELISM = 64


class SettingsError(ValueError):
    """A setting has a value that cannot be used; the message names it."""


def _default_database_url() -> str:
    return f"sqlite+aiosqlite:///{Path('var/tms.db').resolve()}"


@dataclass(frozen=True)
class Settings:
    env: Literal["development", "production", "test"] = "development"
    database_url: str = field(default_factory=_default_database_url)
    storage: Literal["sql", "memory"] = "sql"
    secret_key: str = ""
    host: str = "127.0.0.1"
    port: int = 8002
    auto_migrate: bool = True
    admin_username: str = "admin"
    admin_email: str = "admin@tms.local"
    admin_password: str = ""
    cors_origins: tuple[str, ...] = ("http://localhost:5173", "http://localhost:3000")
    redis_url: str = ""
    token_lifetime_minutes: int = 480
    lockout_threshold: int = 5
    """Failed sign-ins in a row that lock an account."""
    lockout_base_seconds: int = 60
    lockout_max_seconds: int = 3600
    failed_signins_per_address_per_minute: int = 50
    rate_limit_per_minute: int = 0
    """A general per-address request limit (0: off)."""
    event_retention_hours: int = 24
    """Missed events a reconnecting client can still resume from."""
    event_poll_ms: int = 1000
    """How often each process reads the event store for events it was not sent."""
    ws_ping_seconds: int = 20
    ws_queue_size: int = 1000
    """Events waiting for one slow connection before it is told to resume."""
    ws_replay_limit: int = 1000
    """The most events a resume replays; past it the client is told to reload (resync)."""
    ws_replays_per_minute: int = 60
    """Resumes one user gets a minute in one app process (5 at once); more wait their turn
    (0: no limit)."""
    ws_max_sockets_per_user: int = 10
    """Live connections one user may hold open in one app process (0: no cap)."""
    ws_max_sockets_per_address: int = 100
    """Live connections one client address may hold open in one app process (0: no cap)."""
    ws_messages_per_second: int = 10
    """Messages one live connection may send a second (as many at once); past it the
    connection is closed (0: no limit)."""
    jwt_algorithm: str = "HS256"
    argon2_time_cost: int = 2
    """argon2id passes (OWASP: 2 with 19 MiB). Hashes made with other parameters are
    replaced at their user's next successful sign-in."""
    argon2_memory_kib: int = 19456
    """argon2id memory per hash, in KiB (OWASP: 19 MiB)."""
    argon2_parallelism: int = 1
    """argon2id lanes per hash (OWASP: 1; hashes run one per hashing thread)."""
    hash_workers: int = 0
    """Threads for password hashing; 0: one per CPU."""
    password_min_length: int = 8
    password_max_length: int = 128
    max_body_bytes: int = 1024 * 1024
    max_header_line_bytes: int = 8 * 1024
    """The longest request line or header line; past it the request answers 414 or 431."""
    max_header_bytes: int = 32 * 1024
    """The largest request head (request line and every header); past it 431."""
    header_timeout_seconds: int = 10
    """The longest a client may take to send a request head (a new connection included)."""
    body_timeout_seconds: int = 20
    """The longest a client may take to start sending a request body once its head has
    arrived, and the time it is given for its first TMS_BODY_MIN_RATE_BYTES bytes."""
    body_min_rate_bytes: int = 8192
    """Each further second a body may take is paid for by this many bytes received (the
    minimum rate, in bytes a second, of a body that takes longer than
    TMS_BODY_TIMEOUT_SECONDS): a large upload at any usable speed is never cut, a body
    trickled in to hold a connection is (408). 0: every body within
    TMS_BODY_TIMEOUT_SECONDS in total."""
    keep_alive_seconds: int = 5
    """How long an idle connection is kept open for a client's next request."""
    max_connections_per_address: int = 100
    """Open HTTP connections one client address may hold, per server process (0: no cap)."""
    db_pool_size: int = 10
    """Database connections each process keeps; as many more are opened under load."""
    db_pool_timeout_seconds: int = 10
    """The longest a request waits for a free database connection; past it: 503."""
    db_timeout_seconds: int = 30
    """The longest wait for MySQL/MariaDB to connect or to answer one statement; past it
    the request answers 503 rather than hanging."""
    reports_max_concurrent: int = 4
    """Reports made or downloaded at once by one process; more are answered 429."""
    reports_max_per_user: int = 2
    """Of those, how many one user may have at once."""
    jobs_backend: Literal["database", "saq"] = "database"
    """Where background jobs run: workers in the app over the database, or SAQ over Redis
    (TMS_REDIS_URL) with `tms worker` processes."""
    jobs_workers: int = 8
    """Jobs run at once by each process (database: workers in the app and in `tms worker`;
    saq: in `tms worker`); 0 keeps them out of the app process. Most jobs wait on a network
    (a webhook receiver, a mail server), so several run at once even on one core."""
    jobs_poll_ms: int = 1000
    """How often an idle worker (or the SAQ relay) looks for due jobs."""
    jobs_lease_seconds: int = 60
    """How long a claim holds a job without renewal: a job whose worker died runs again
    after it."""
    jobs_max_attempts: int = 5
    """Attempts before a failing job is dead-lettered (status failed)."""
    jobs_backoff_seconds: int = 10
    """The wait after a job's first failure; it doubles with each further one (up to 1 h)."""
    job_plugins: tuple[str, ...] = ()
    """Modules whose register(handlers) adds job handlers."""
    api_client_token_minutes: int = 60
    """How long a partner's client-credentials token lasts."""
    api_client_secret_grace_seconds: int = 86400
    """How long a rotated-out API client secret still works."""
    api_client_requests_per_minute: int = 600
    """Requests one API client may make a minute (0: no limit); past it, 429."""
    webhook_allow_private: bool = False
    """true lets webhooks reach private and loopback addresses (tests only)."""
    webhook_retry_seconds: int = 30
    """The wait after a webhook delivery's first failure; it doubles (up to 2 h)."""
    webhook_retry_hours: int = 24
    """How long a failing webhook message is retried before its subscription is disabled."""
    storage_url: str = ""
    """Where uploaded files live: a folder, or s3://bucket/prefix; empty: files/ in the
    data directory (TMS_VAR_DIR)."""
    s3_endpoint_url: str = ""
    """The S3 API to use when it is not AWS's (MinIO, Ceph, ...)."""
    upload_max_bytes: int = 50 * 1024 * 1024
    """The largest file an upload may hold; past it 413."""
    import_max_rows: int = 10_000
    """The most rows a bulk import's file may hold; past it 422."""
    public_url: str = "http://localhost:8002"
    """The app's address as its users reach it: links handed out (mail, calendar feeds,
    join pages) start with it."""
    organisation_name: str = "Training Management System"
    """The name mail is signed with and its subjects carry."""
    mail_from: str = "Training Management System <no-reply@localhost>"
    """The From of every message (``Name <address>`` or an address)."""
    smtp_host: str = ""
    """The mail server; empty: messages are written to the outbox folder (var/outbox)."""
    smtp_port: int = 0
    """0: 25, 587 or 465 as ``smtp_security`` is none, starttls or tls."""
    smtp_security: Literal["none", "starttls", "tls"] = "starttls"
    smtp_username: str = ""
    smtp_password: str = ""
    smtp_timeout_seconds: int = 30
    """The longest wait for the mail server to connect or to answer one command."""
    smtp_ca_file: str = ""
    """A CA bundle to trust for the mail server's certificate (default: the system's)."""
    mail_outbox_dir: str = ""
    """Where messages go without ``smtp_host``; empty: var/outbox."""
    forgot_password_per_address: int = 20
    """Forgot-password requests one client address may make in 15 minutes."""
    forgot_password_per_email: int = 5
    """Forgot-password requests for one e-mail address in 15 minutes, whoever asks."""
    oidc_issuer: str = ""
    """The OpenID Connect provider's issuer (e.g. https://sso.example.org/realms/tms); with
    TMS_OIDC_CLIENT_ID and TMS_OIDC_CLIENT_SECRET it turns single sign-on on."""
    oidc_client_id: str = ""
    oidc_client_secret: str = ""
    oidc_provider_name: str = "Single sign-on"
    """What the sign-in page's button says."""
    oidc_scopes: str = "openid email profile"
    oidc_roles_claim: str = DEFAULT_ROLES_CLAIM
    """The (dotted) ID-token claim that lists the person's roles at the provider."""
    oidc_role_map: str = ""
    """``idp-role=tms-role,...``: the provider roles that give each of our roles."""
    oidc_password_sign_in: bool = True
    """False: accounts linked to the provider can no longer sign in with a password here."""
    keycloak_admin_url: str = ""
    """Keycloak's base address (e.g. https://sso.example.org); with the realm and the admin
    client's credentials, accounts created here are created in Keycloak too."""
    keycloak_realm: str = ""
    keycloak_admin_client_id: str = ""
    keycloak_admin_client_secret: str = ""
    log_level: str = "INFO"
    log_format: Literal["text", "json"] = "text"
    metrics_token: str = ""
    """GET /metrics answers only `Authorization: Bearer <this>` (401 otherwise); empty: there
    is no /metrics (404)."""
    shutdown_timeout_seconds: int = 10
    """On SIGTERM: how long requests in flight get to finish (and running jobs to be handed
    back) before the process stops anyway."""
    var_dir: str = "var"
    web_dist: str = ""
    """The built web client; empty: web/dist beside the project, when present."""

    @classmethod
    def from_env(
        cls, environ: dict[str, str] | None = None, env_file: str | Path | None = ".env"
    ) -> Settings:
        """Environment variables win over the .env file, which wins over the defaults."""
        values: dict[str, str] = {}
        if env_file is not None and Path(env_file).is_file():
            values.update({k: v for k, v in dotenv_values(env_file).items() if v is not None})
        values.update(os.environ if environ is None else environ)
        kwargs: dict[str, Any] = {}
        for item in fields(cls):
            raw = values.get(PREFIX + item.name.upper())
            if raw is None or raw == "":
                continue
            kwargs[item.name] = _parse(item.name, item.type, raw)
        settings = cls(**kwargs)
        settings.validate()
        return settings

    def validate(self) -> None:
        self._validate_deployment()
        self._validate_limits()
        self._validate_jobs()
        self._validate_mail()
        self._validate_addresses()
        self._validate_identity()

    def _validate_deployment(self) -> None:
        """Where the app runs and what it connects to."""
        if self.env not in ("development", "production", "test"):
            raise SettingsError("TMS_ENV must be development, production or test")
        if self.storage not in ("sql", "memory"):
            raise SettingsError("TMS_STORAGE must be sql or memory")
        if self.storage == "sql" and (problem := url_problem(self.database_url)):
            raise SettingsError(
                f"TMS_DATABASE_URL {problem}: use sqlite+aiosqlite:///path/to/tms.db or"
                " mysql+asyncmy://user:password@host:3306/name"
            )
        if self.env == "production" and len(self.secret_key) < 32:
            raise SettingsError(
                "TMS_SECRET_KEY must be set to at least 32 characters in production"
            )
        if any("*" in origin for origin in self.cors_origins):
            raise SettingsError(
                "TMS_CORS_ORIGINS cannot be '*' or hold a wildcard: the API takes credentials,"
                " list the origins"
            )
        if not 1 <= self.port <= 65535:
            raise SettingsError("TMS_PORT must be between 1 and 65535")
        if self.log_format not in ("text", "json"):
            raise SettingsError("TMS_LOG_FORMAT must be text or json")

    def _validate_addresses(self) -> None:
        """Where files go, where the app is reached, what guards its metrics."""
        if self.metrics_token and len(self.metrics_token) < MIN_METRICS_TOKEN_LENGTH:
            raise SettingsError(
                f"TMS_METRICS_TOKEN must be at least {MIN_METRICS_TOKEN_LENGTH} characters"
                " (or empty: no /metrics)"
            )
        if self.storage_url and (problem := files_url_problem(self.storage_url)):
            raise SettingsError(f"TMS_STORAGE_URL {problem}: use a folder or s3://bucket/prefix")

    def _validate_limits(self) -> None:
        """Sizes, counts and timeouts: each within its range."""
        if self.db_timeout_seconds < 1:
            raise SettingsError("TMS_DB_TIMEOUT_SECONDS must be at least 1")
        for name in (
            "db_pool_size",
            "db_pool_timeout_seconds",
            "reports_max_concurrent",
            "reports_max_per_user",
        ):
            if getattr(self, name) < 1:
                raise SettingsError(f"{PREFIX}{name.upper()} must be at least 1")
        if self.token_lifetime_minutes < 1:
            raise SettingsError("TMS_TOKEN_LIFETIME_MINUTES must be at least 1")
        for name in (
            "ws_replay_limit",
            "ws_replays_per_minute",
            "ws_max_sockets_per_user",
            "ws_max_sockets_per_address",
            "ws_messages_per_second",
        ):
            if getattr(self, name) < 0:
                raise SettingsError(f"{PREFIX}{name.upper()} must be 0 or more")
        self._validate_server_limits()
        self._validate_hashing()

    def _validate_hashing(self) -> None:
        """argon2id's own bounds (RFC 9106), and a floor below which a hash protects little."""
        if not 1 <= self.argon2_time_cost <= MAX_ARGON2_TIME_COST:
            raise SettingsError(
                f"TMS_ARGON2_TIME_COST must be between 1 and {MAX_ARGON2_TIME_COST}"
            )
        if not 1 <= self.argon2_parallelism <= MAX_ARGON2_PARALLELISM:
            raise SettingsError(
                f"TMS_ARGON2_PARALLELISM must be between 1 and {MAX_ARGON2_PARALLELISM}"
            )
        # 1 MiB is above argon2's own floor of 8 KiB per lane for every allowed lane count.
        if not MIN_ARGON2_MEMORY_KIB <= self.argon2_memory_kib <= MAX_ARGON2_MEMORY_KIB:
            raise SettingsError(
                f"TMS_ARGON2_MEMORY_KIB must be between {MIN_ARGON2_MEMORY_KIB} (1 MiB) and "
                f"{MAX_ARGON2_MEMORY_KIB} (4 GiB)"
            )
        if self.hash_workers < 0:
            raise SettingsError("TMS_HASH_WORKERS must be 0 (one per CPU) or more")

    def _validate_server_limits(self) -> None:
        """What the HTTP server accepts from one client."""
        for name in (
            "max_header_line_bytes",
            "header_timeout_seconds",
            "shutdown_timeout_seconds",
            "body_timeout_seconds",
            "keep_alive_seconds",
        ):
            if getattr(self, name) < 1:
                raise SettingsError(f"{PREFIX}{name.upper()} must be at least 1")
        if self.max_header_bytes < self.max_header_line_bytes:
            raise SettingsError("TMS_MAX_HEADER_BYTES must be at least TMS_MAX_HEADER_LINE_BYTES")
        if self.upload_max_bytes < 1:
            raise SettingsError("TMS_UPLOAD_MAX_BYTES must be at least 1")
        if self.import_max_rows < 1:
            raise SettingsError("TMS_IMPORT_MAX_ROWS must be at least 1")
        if self.body_min_rate_bytes < 0:
            raise SettingsError("TMS_BODY_MIN_RATE_BYTES must be 0 (a total deadline) or more")
        if self.max_connections_per_address < 0:
            raise SettingsError("TMS_MAX_CONNECTIONS_PER_ADDRESS must be 0 (no cap) or more")

    def _validate_jobs(self) -> None:
        """Background work: where it runs and how it retries."""
        if self.jobs_backend not in ("database", "saq"):
            raise SettingsError("TMS_JOBS_BACKEND must be database or saq")
        if self.jobs_backend == "saq" and not self.redis_url:
            raise SettingsError("TMS_JOBS_BACKEND=saq needs TMS_REDIS_URL")
        if self.jobs_backend == "saq" and self.storage != "sql":
            raise SettingsError("TMS_JOBS_BACKEND=saq needs TMS_STORAGE=sql")
        for name in ("jobs_poll_ms", "jobs_lease_seconds", "jobs_max_attempts"):
            if getattr(self, name) < 1:
                raise SettingsError(f"{PREFIX}{name.upper()} must be at least 1")
        for name in (
            "api_client_token_minutes",
            "webhook_retry_seconds",
            "webhook_retry_hours",
        ):
            if getattr(self, name) < 1:
                raise SettingsError(f"{PREFIX}{name.upper()} must be 1 or more")
        for name in (
            "jobs_workers",
            "jobs_backoff_seconds",
            "api_client_secret_grace_seconds",
            "api_client_requests_per_minute",
        ):
            if getattr(self, name) < 0:
                raise SettingsError(f"{PREFIX}{name.upper()} must be 0 or more")

    def _validate_mail(self) -> None:
        """Mail: where it goes and what it says."""
        if self.smtp_security not in ("none", "starttls", "tls"):
            raise SettingsError("TMS_SMTP_SECURITY must be none, starttls or tls")
        if not 0 <= self.smtp_port <= 65535:
            raise SettingsError("TMS_SMTP_PORT must be between 1 and 65535 (0: by security)")
        if self.smtp_timeout_seconds < 1:
            raise SettingsError("TMS_SMTP_TIMEOUT_SECONDS must be at least 1")
        if not self.public_url.startswith(("http://", "https://")):
            raise SettingsError("TMS_PUBLIC_URL must start with http:// or https://")
        if "@" not in self.mail_from:
            raise SettingsError("TMS_MAIL_FROM must hold an e-mail address")
        for name in ("organisation_name", "mail_from", "public_url"):
            value = getattr(self, name)
            if any(char in value for char in "\r\n\x00"):
                raise SettingsError(f"{PREFIX}{name.upper()} cannot hold a line break")
        for name in ("forgot_password_per_address", "forgot_password_per_email"):
            if getattr(self, name) < 1:
                raise SettingsError(f"{PREFIX}{name.upper()} must be at least 1")

    @property
    def oidc_enabled(self) -> bool:
        return bool(self.oidc_issuer)

    @property
    def keycloak_enabled(self) -> bool:
        return bool(self.keycloak_admin_url)

    def _validate_identity(self) -> None:
        """Single sign-on and provisioning: all of a group's settings, or none."""
        groups = {
            "single sign-on": ("oidc_issuer", "oidc_client_id", "oidc_client_secret"),
            "Keycloak provisioning": (
                "keycloak_admin_url",
                "keycloak_realm",
                "keycloak_admin_client_id",
                "keycloak_admin_client_secret",
            ),
        }
        for what, names in groups.items():
            given = [name for name in names if getattr(self, name)]
            if given and len(given) != len(names):
                missing = ", ".join(PREFIX + n.upper() for n in names if n not in given)
                raise SettingsError(f"{what} needs {missing} as well")
        for name in ("oidc_issuer", "keycloak_admin_url"):
            value = getattr(self, name)
            if value and not value.startswith(("http://", "https://")):
                raise SettingsError(f"{PREFIX}{name.upper()} must start with http:// or https://")
        try:
            RoleMap.parse(self.oidc_role_map)
        except RoleMapError as error:
            raise SettingsError(f"TMS_OIDC_ROLE_MAP: {error}") from None
        if "openid" not in self.oidc_scopes.split():
            raise SettingsError("TMS_OIDC_SCOPES must include openid")

    @property
    def outbox_path(self) -> Path:
        return Path(self.mail_outbox_dir or Path(self.var_dir) / "outbox")

    def with_secret_key(self) -> Settings:
        """A secret key is needed to sign tokens. Outside production, when none is set, one is
        generated once and kept under var/ (readable by the owner only) so that restarts keep
        sign-ins valid."""
        if self.secret_key:
            return self
        if self.env == "production":
            raise SettingsError("TMS_SECRET_KEY must be set in production")
        path = Path(self.var_dir) / "secret_key"
        if not path.is_file():
            path.parent.mkdir(parents=True, exist_ok=True)
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(descriptor, "w") as handle:
                handle.write(secrets.token_urlsafe(48))
        return replace(self, secret_key=path.read_text().strip())

    @property
    def files_url(self) -> str:
        """Where uploaded files live (TMS_STORAGE_URL, or files/ in the data directory)."""
        return self.storage_url or str(Path(self.var_dir) / "files")

    @property
    def web_dist_path(self) -> Path | None:
        candidate = (
            Path(self.web_dist)
            if self.web_dist
            else Path(__file__).resolve().parents[2] / "web" / "dist"
        )
        return candidate if (candidate / "index.html").is_file() else None


def _parse(name: str, kind: Any, raw: str) -> Any:
    text = str(kind)
    env_name = PREFIX + name.upper()
    if text == "bool":
        lowered = raw.strip().lower()
        if lowered in ("1", "true", "yes", "on"):
            return True
        if lowered in ("0", "false", "no", "off"):
            return False
        raise SettingsError(f"{env_name} must be true or false, not {raw!r}")
    if text == "int":
        try:
            return int(raw)
        except ValueError:
            raise SettingsError(f"{env_name} must be a whole number, not {raw!r}") from None
    if text.startswith("tuple"):
        return tuple(part.strip() for part in raw.split(",") if part.strip())
    return raw.strip()
