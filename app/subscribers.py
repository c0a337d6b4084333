"""Every domain's event subscribers, imported once by the app and the CLI so each is
registered exactly once (see `app/core/events.py`)."""

from app.enrolment import subscriptions as enrolment_subscriptions

__all__ = ["enrolment_subscriptions"]
