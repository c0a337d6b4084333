"""Agora as an LTI 1.3 platform: the external tools registered to be launched from Agora, the
resource links that place a tool in a course as a module, the AGS line items each tool keeps in
the courses it is placed in, and the client assertions (`jti`) already used at our token
endpoint."""

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, ForeignKey, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base, utcnow


class LtiTool(Base):
    """An external tool registered to be launched from Agora. One of an institution is placed
    in that institution's courses only; one of no institution (platform-wide) in any course.
    Its messages to us (deep linking responses, client assertions) are checked against its
    JWKS (`jwks_url`) or its registered `public_key`, exactly one of the two."""

    __tablename__ = "lti_tools"

    id: Mapped[int] = mapped_column(primary_key=True)
    institution_id: Mapped[int | None] = mapped_column(
        ForeignKey("institutions.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    client_id: Mapped[str] = mapped_column(String(255), unique=True)
    deployment_id: Mapped[str] = mapped_column(String(255))
    login_url: Mapped[str] = mapped_column(String(2000))  # OIDC login initiation
    launch_url: Mapped[str] = mapped_column(String(2000))  # the default target link URI
    redirect_uris: Mapped[list[str]] = mapped_column(JSON, default=list)
    jwks_url: Mapped[str | None] = mapped_column(String(2000))
    public_key: Mapped[str | None] = mapped_column(Text)  # PEM or a JWK as JSON
    deep_linking_url: Mapped[str | None] = mapped_column(String(2000))
    custom: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    share_name: Mapped[bool] = mapped_column(default=False)
    share_email: Mapped[bool] = mapped_column(default=False)
    # The service scopes (AGS, NRPS) the tool may be granted at our token endpoint.
    scopes: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class LtiLink(Base):
    """A module of kind LTI: the tool it launches and the resource link id the tool knows it
    by (random, stable for the module's life)."""

    __tablename__ = "lti_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    module_id: Mapped[int] = mapped_column(
        ForeignKey("modules.id", ondelete="CASCADE"), unique=True
    )
    tool_id: Mapped[int] = mapped_column(ForeignKey("lti_tools.id", ondelete="CASCADE"), index=True)
    resource_link_id: Mapped[str] = mapped_column(String(64), unique=True)
    custom: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    url: Mapped[str | None] = mapped_column(String(2000))  # overrides the tool's launch_url
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class LtiLineItem(Base):
    """An AGS line item a tool keeps in a course (LTI AGS 2.0 §3.2), bound to a resource link
    or not; its scores land in the gradebook item of source `lti` and this id."""

    __tablename__ = "lti_line_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    tool_id: Mapped[int] = mapped_column(ForeignKey("lti_tools.id", ondelete="CASCADE"), index=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    link_id: Mapped[int | None] = mapped_column(
        ForeignKey("lti_links.id", ondelete="SET NULL"), index=True
    )
    label: Mapped[str] = mapped_column(String(300))
    score_maximum: Mapped[Decimal] = mapped_column(Numeric(10, 2))
    resource_id: Mapped[str] = mapped_column(String(255), default="")
    tag: Mapped[str] = mapped_column(String(255), default="")
    start_at: Mapped[datetime | None]
    end_at: Mapped[datetime | None]
    extra: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class LtiUsedAssertion(Base):
    """A client assertion's `jti` (or a deep linking response's nonce) already accepted from
    a tool, so the same JWT is refused the second time. Kept until it expires anyway."""

    __tablename__ = "lti_used_assertions"
    __table_args__ = (UniqueConstraint("tool_id", "jti"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tool_id: Mapped[int] = mapped_column(ForeignKey("lti_tools.id", ondelete="CASCADE"))
    jti: Mapped[str] = mapped_column(String(255))
    used_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(index=True)


class LtiScoreTime(Base):
    """When the tool says it last scored a learner on a line item (the score's `timestamp`):
    a score older than that one changes nothing (AGS 2.0, scores arriving out of order)."""

    __tablename__ = "lti_score_times"
    __table_args__ = (UniqueConstraint("line_item_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    line_item_id: Mapped[int] = mapped_column(ForeignKey("lti_line_items.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    scored_at: Mapped[datetime]
