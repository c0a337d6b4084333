"""Settings read from the environment (and an optional `.env`), validated once."""

import hashlib
import secrets
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from pydantic import AliasChoices, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_DIR = Path(__file__).resolve().parents[2]
VAR_DIR = PROJECT_DIR / "var"


class ConfigurationError(RuntimeError):
    """The settings cannot run the application; the message says what to set."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    agora_env: Literal["development", "test", "production"] = "development"
    # The least severe log records written (JSON lines on standard error).
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    database_url: str = f"sqlite:///{VAR_DIR / 'agora.db'}"
    # PostgreSQL connections of one process (an `agora serve` worker, a command): this many
    # kept open, and up to `database_max_overflow` more opened under load (bench/README.md:
    # 20 + 10 per worker, against 5 + 10 before, carried concurrency 32 without queuing).
    database_pool_size: int = Field(default=20, ge=1)
    database_max_overflow: int = Field(default=10, ge=0)
    # psycopg prepares a statement on the server once a connection has run it 5 times. A
    # pooler in transaction mode that does not track them (PgBouncer before 1.21, or with
    # `max_prepared_statements = 0`) hands the next transaction another server connection,
    # where the statement does not exist: set this to false behind such a pooler.
    database_prepared_statements: bool = True
    secret_key: SecretStr | None = None
    base_url: str = "http://127.0.0.1:8000"
    storage_dir: Path = VAR_DIR / "storage"
    # Private keys that sign transcripts and certificates (never in the repository); share
    # the directory between app servers. Their public halves are in the database.
    signing_keys_dir: Path = VAR_DIR / "keys"
    storage_backend: Literal["local", "s3"] = "local"
    s3_bucket: str | None = None
    s3_endpoint_url: str | None = None
    s3_region: str | None = None
    max_upload_bytes: int = 50 * 1024 * 1024
    max_package_bytes: int = 200 * 1024 * 1024
    video_embed_hosts: list[str] = Field(
        default_factory=lambda: [
            "www.youtube-nocookie.com",
            "www.youtube.com",
            "youtube.com",
            "youtu.be",
            "player.vimeo.com",
            "vimeo.com",
        ]
    )
    max_json_body_bytes: int = 1024 * 1024
    # `agora serve --workers N`: uvicorn restarts a worker that does not answer its health
    # check within this many seconds; a loaded machine needs more than uvicorn's 5.
    worker_healthcheck_timeout: int = Field(
        default=30,
        ge=1,
        validation_alias=AliasChoices(
            "agora_worker_healthcheck_timeout", "worker_healthcheck_timeout"
        ),
    )

    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_user: str | None = None
    smtp_password: SecretStr | None = None
    smtp_from: str = "Agora <no-reply@agora.local>"
    smtp_starttls: bool = False

    jwt_algorithm: Literal["HS256", "HS384", "HS512"] = "HS256"
    # Earlier signing keys by `kid`, still accepted while tokens signed with them live.
    jwt_previous_keys: dict[str, SecretStr] = Field(default_factory=dict)
    access_token_minutes: int = 15
    refresh_token_days: int = 30
    session_days: int = 14
    password_reset_minutes: int = 60
    # An invitation (the set-password link sent to a person an intake creates) lasts longer.
    invitation_days: int = Field(default=14, ge=1)

    login_max_failures_per_account: int = 5
    login_max_failures_per_ip: int = 30
    login_failure_window_minutes: int = 15
    # The other ways in, limited the same way (docs/security.md lists them all).
    client_max_failures_per_client: int = 10
    client_max_failures_per_ip: int = 30
    # Requests a partner API client may send a minute, unless its own limit says otherwise.
    api_client_requests_per_minute: int = Field(default=600, ge=1)
    password_reset_max_requests_per_account: int = 3
    password_reset_max_requests_per_ip: int = 20
    password_reset_request_window_minutes: int = 60
    password_reset_max_failures_per_account: int = 5
    password_reset_max_failures_per_ip: int = 10

    # Webinars: the video provider, and how early before the start the join link opens.
    webinar_provider: Literal["jitsi", "bigbluebutton"] = "jitsi"
    jitsi_base_url: str = "https://meet.jit.si"
    bbb_url: str | None = None  # e.g. https://bbb.example.org/bigbluebutton/api
    bbb_secret: SecretStr | None = None
    bbb_checksum_algorithm: Literal["sha1", "sha256"] = "sha1"
    webinar_join_window_minutes: int = 15
    # Notifications set to a daily digest are mailed once the reader's day is over, at this
    # hour of their own time zone.
    notification_digest_hour: int = Field(default=6, ge=0, le=23)
    # Survey results (and every other aggregate) hide a group of fewer responses than this.
    survey_min_group_size: int = Field(default=5, ge=2)
    # Reports to funders hide any figure built on fewer people than this (and complementary
    # cells), on pages, in the API and in exports.
    report_min_cell_size: int = Field(default=5, ge=2)
    # Webhook endpoints must be public https addresses; tests (and only tests) allow loopback.
    webhooks_allow_loopback: bool = False
    webhook_timeout_seconds: float = Field(default=10, gt=0, le=60)
    # Retention, applied by `agora worker` each round (docs/privacy.md): days after which
    # throttled attempts, expired sign-in sessions and tokens, audit entries, read
    # notifications and the invitations of closed surveys are deleted; years after which the
    # signed documents of erased people are.
    retention_throttle_event_days: int = Field(default=1, ge=1)
    retention_expired_token_days: int = Field(default=7, ge=0)
    retention_audit_days: int = Field(default=3650, ge=1)
    retention_read_notification_days: int = Field(default=90, ge=1)
    retention_survey_invitation_days: int = Field(default=30, ge=0)
    retention_legal_record_years: int = Field(default=10, ge=1)

    @model_validator(mode="after")
    def _refuse_unsafe_production(self) -> "Settings":
        if self.agora_env != "production":
            return self
        if self.secret_key is None or len(self.secret_key.get_secret_value()) < 32:
            raise ConfigurationError(
                "AGORA_ENV=production needs SECRET_KEY set to a random string of at least 32 "
                "characters, e.g. `python -c 'import secrets; print(secrets.token_urlsafe(48))'`."
            )
        if self.database_url.startswith("sqlite") and ":memory:" in self.database_url:
            raise ConfigurationError(
                "AGORA_ENV=production refuses an in-memory database: set DATABASE_URL, e.g. "
                "postgresql+psycopg://agora:…@db:5432/agora."
            )
        if self.webhooks_allow_loopback:
            raise ConfigurationError(
                "AGORA_ENV=production refuses WEBHOOKS_ALLOW_LOOPBACK: webhooks go to public "
                "addresses only."
            )
        if not self.base_url.startswith(("https://", "http://")):
            raise ConfigurationError(
                "BASE_URL must be the public address people use, starting with https:// (or "
                "http://), e.g. https://agora.example.org."
            )
        return self

    @property
    def base_url_given(self) -> bool:
        """BASE_URL was set (environment, `.env` or argument), not left at its default."""
        return "base_url" in self.model_fields_set

    @property
    def webhooks_allow_http(self) -> bool:
        """Plain http endpoints are for development and tests; production signs over https."""
        return self.agora_env != "production"

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def uses_https(self) -> bool:
        return self.base_url.startswith("https://")

    @property
    def signing_key(self) -> str:
        """The secret for tokens and CSRF: SECRET_KEY, else one generated once under var/."""
        if self.secret_key is not None:
            return self.secret_key.get_secret_value()
        return _local_secret()

    @property
    def jwt_key_id(self) -> str:
        return hashlib.sha256(self.signing_key.encode()).hexdigest()[:12]


@lru_cache
def _local_secret() -> str:
    path = VAR_DIR / "secret_key"
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


@lru_cache
def get_settings() -> Settings:
    return Settings()


def settings_of(app: Any) -> Settings:
    """The settings an application was made with: `create_app` keeps them on `app.state`, and
    routes and middleware read them there on every request rather than capturing them."""
    settings: Settings = app.state.settings
    return settings
