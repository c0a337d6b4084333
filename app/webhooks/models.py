"""A partner client's webhook subscriptions and the log of every delivery attempt."""

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base, utcnow


class WebhookSubscription(Base):
    """Where a partner client wants to hear of its institution's events, and which ones.
    The secret signs every delivery (Standard Webhooks); Agora must keep it to sign."""

    __tablename__ = "webhook_subscriptions"

    id: Mapped[int] = mapped_column(primary_key=True)
    api_client_id: Mapped[int] = mapped_column(
        ForeignKey("api_clients.id", ondelete="CASCADE"), index=True
    )
    institution_id: Mapped[int] = mapped_column(
        ForeignKey("institutions.id", ondelete="CASCADE"), index=True
    )
    url: Mapped[str] = mapped_column(String(2000))
    secret: Mapped[str] = mapped_column(String(100))
    event_types: Mapped[list[str]] = mapped_column(JSON, default=list)
    description: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    disabled_at: Mapped[datetime | None]
    disabled_reason: Mapped[str | None] = mapped_column(String(1000))


class WebhookDelivery(Base):
    """One attempt to deliver one event to one subscription."""

    __tablename__ = "webhook_deliveries"

    id: Mapped[int] = mapped_column(primary_key=True)
    subscription_id: Mapped[int] = mapped_column(
        ForeignKey("webhook_subscriptions.id", ondelete="CASCADE"), index=True
    )
    outbox_message_id: Mapped[int]
    event_id: Mapped[str] = mapped_column(String(40), index=True)
    event_type: Mapped[str] = mapped_column(String(64))
    attempt: Mapped[int]
    at: Mapped[datetime] = mapped_column(default=utcnow)
    succeeded: Mapped[bool]
    status_code: Mapped[int | None]
    response_ms: Mapped[int | None]
    error: Mapped[str | None] = mapped_column(String(1000))
