"""Every domain's event subscribers and outbox handlers, imported once by the app and the CLI
so each is registered exactly once (see `app/core/events.py`), and what domains add to module pages
(`app/courses/extensions.py`)."""

from app.assignments import jury_module_pages as assignment_jury_module_pages
from app.assignments import module_pages as assignment_module_pages
from app.credits import subscriptions as credit_subscriptions
from app.enrolment import subscriptions as enrolment_subscriptions
from app.forums import module_pages as forum_module_pages
from app.grades import subscriptions as grade_subscriptions
from app.lti import platform_pages as lti_platform_pages
from app.lti.tool_service import passback as lti_tool_passback
from app.notifications import header as notification_header
from app.notifications import mail as notification_mail
from app.quizzes import module_pages as quiz_module_pages
from app.reporting import mailing as report_mailing
from app.webhooks import delivery as webhook_delivery
from app.webhooks import outgoing as webhook_outgoing
from app.webinars import module_pages as webinar_module_pages
from app.webinars import reminders as webinar_reminders

__all__ = [
    "assignment_jury_module_pages",
    "assignment_module_pages",
    "credit_subscriptions",
    "enrolment_subscriptions",
    "forum_module_pages",
    "grade_subscriptions",
    "lti_platform_pages",
    "lti_tool_passback",
    "notification_header",
    "notification_mail",
    "quiz_module_pages",
    "report_mailing",
    "webhook_delivery",
    "webhook_outgoing",
    "webinar_module_pages",
    "webinar_reminders",
]
