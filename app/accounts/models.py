from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, Enum, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.actors import PlatformRole
from app.core.db import Base, enum_values, utcnow


class Institution(Base):
    """A university, ministry or school: awards programmes, owns courses, has API clients."""

    __tablename__ = "institutions"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    country: Mapped[str] = mapped_column(String(2))
    grading_scale: Mapped[str] = mapped_column(String(32), default="0-100")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Stored lower-cased, so uniqueness is case-insensitive on every database.
    email: Mapped[str] = mapped_column(String(320), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str | None] = mapped_column(String(200))
    preferred_language: Mapped[str] = mapped_column(String(8), default="en")
    time_zone: Mapped[str] = mapped_column(String(64), default="UTC")
    country: Mapped[str | None] = mapped_column(String(2))
    institution_id: Mapped[int | None] = mapped_column(
        ForeignKey("institutions.id", ondelete="SET NULL"), index=True
    )
    platform_role: Mapped[PlatformRole] = mapped_column(
        Enum(PlatformRole, native_enum=False, length=24, values_callable=enum_values),
        default=PlatformRole.USER,
    )
    is_active: Mapped[bool] = mapped_column(default=True)
    is_demo: Mapped[bool] = mapped_column(default=False)
    # The explicit permission to read learners' nationality and refugee status (audited).
    may_read_sensitive: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    institution: Mapped[Institution | None] = relationship(lazy="raise")


class UserSession(Base):
    """A signed-in browser. The cookie holds the token; we keep only its digest."""

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_digest: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    ip_address: Mapped[str | None] = mapped_column(String(45))
    user_agent: Mapped[str | None] = mapped_column(String(300))

    user: Mapped[User] = relationship(lazy="raise")


class ApiClient(Base):
    """A partner institution's system that calls the API with client credentials."""

    __tablename__ = "api_clients"

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[str] = mapped_column(String(64), unique=True)
    secret_hash: Mapped[str] = mapped_column(String(200))
    name: Mapped[str] = mapped_column(String(200))
    institution_id: Mapped[int] = mapped_column(
        ForeignKey("institutions.id", ondelete="CASCADE"), index=True
    )
    scopes: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]
    # Requests allowed a minute; None: the setting `api_client_requests_per_minute`.
    rate_limit_per_minute: Mapped[int | None]

    institution: Mapped[Institution] = relationship(lazy="raise")


class ApiClientUsage(Base):
    """A partner client's requests and error answers (status 400 or more) in one UTC minute,
    `window_start` being its first second; kept 35 days."""

    __tablename__ = "api_client_usage"

    api_client_id: Mapped[int] = mapped_column(
        ForeignKey("api_clients.id", ondelete="CASCADE"), primary_key=True
    )
    window_start: Mapped[datetime] = mapped_column(primary_key=True, index=True)
    requests: Mapped[int] = mapped_column(default=0)
    errors: Mapped[int] = mapped_column(default=0)


class RefreshToken(Base):
    """One link of a refresh-token chain. Each use replaces it; reusing a replaced or revoked
    token revokes its whole family, since only a thief would hold an old one."""

    __tablename__ = "refresh_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_digest: Mapped[str] = mapped_column(String(64), unique=True)
    family: Mapped[str] = mapped_column(String(64), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    scopes: Mapped[list[str]] = mapped_column(JSON, default=list)
    issued_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]


class TokenPurpose(StrEnum):
    RESET = "reset"  # asked for on the "forgotten password" form
    INVITATION = "invitation"  # sent to a person an intake created, to choose a first password


class PasswordResetToken(Base):
    """A single-use set-password link: a reset asked for, or an invitation."""

    __tablename__ = "password_reset_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_digest: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    purpose: Mapped[TokenPurpose] = mapped_column(
        Enum(TokenPurpose, native_enum=False, length=16, values_callable=enum_values),
        default=TokenPurpose.RESET,
        server_default=TokenPurpose.RESET.value,
    )


class ThrottledAttempt(StrEnum):
    """The attempts that count towards a rate limit on a way in."""

    FAILED_SIGN_IN = "failed_sign_in"  # a wrong password, in the portal or the password grant
    FAILED_CLIENT_SECRET = "failed_client_secret"  # the client-credentials grant
    RESET_REQUEST = "reset_request"  # a reset link asked for, whether the account exists or not
    FAILED_RESET_CONFIRM = "failed_reset_confirm"  # an unknown, used or expired reset link


class ThrottleEvent(Base):
    """One attempt that counts towards a limit, per account and per address; kept for the
    limit's window only."""

    __tablename__ = "throttle_events"
    __table_args__ = (
        Index("ix_throttle_events_kind_account_at", "kind", "account", "at"),
        Index("ix_throttle_events_kind_ip_address_at", "kind", "ip_address", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[ThrottledAttempt] = mapped_column(
        Enum(ThrottledAttempt, native_enum=False, length=24, values_callable=enum_values)
    )
    # The e-mail address or client_id tried, when the attempt names one.
    account: Mapped[str | None] = mapped_column(String(320))
    ip_address: Mapped[str] = mapped_column(String(45))
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class AuditOutcome(StrEnum):
    DONE = "done"  # the change or read took place
    REFUSED = "refused"  # a policy refused the request (recorded in a transaction of its own)


class AuditEntry(Base):
    """Who did what to whom, for what must be accountable: changes to grades, credits, roles,
    enrolments, recognition decisions and sensitive fields, sensitive reads, client changes and
    refused authorisations. Never holds the sensitive values themselves."""

    __tablename__ = "audit_log"
    __table_args__ = (
        Index("ix_audit_log_subject", "subject"),
        Index("ix_audit_log_actor_user_id_at", "actor_user_id", "at"),
        Index("ix_audit_log_person_id_at", "person_id", "at"),
        Index("ix_audit_log_institution_id_at", "institution_id", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    actor_client_id: Mapped[int | None] = mapped_column(
        ForeignKey("api_clients.id", ondelete="SET NULL")
    )
    # The institution the actor acted for: a person's own, or a partner client's.
    institution_id: Mapped[int | None] = mapped_column(
        ForeignKey("institutions.id", ondelete="SET NULL")
    )
    # The person the entry is about (the learner graded, enrolled, credited…), if any.
    person_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(64))
    subject: Mapped[str] = mapped_column(String(128))
    detail: Mapped[str | None] = mapped_column(Text)
    from_value: Mapped[str | None] = mapped_column(Text)
    to_value: Mapped[str | None] = mapped_column(Text)
    # The request's id (`X-Request-ID`), None outside a request (the CLI, jobs).
    request_id: Mapped[str | None] = mapped_column(String(64))
    outcome: Mapped[AuditOutcome] = mapped_column(
        Enum(AuditOutcome, native_enum=False, length=16, values_callable=enum_values),
        default=AuditOutcome.DONE,
        server_default=AuditOutcome.DONE.value,
    )
