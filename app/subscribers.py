"""Every domain's event subscribers, imported once by the app and the CLI so each is
registered exactly once (see `app/core/events.py`), and what domains add to module pages
(`app/courses/extensions.py`)."""

from app.enrolment import subscriptions as enrolment_subscriptions
from app.webinars import module_pages as webinar_module_pages

__all__ = ["enrolment_subscriptions", "webinar_module_pages"]
