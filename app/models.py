"""Every domain's models, imported once so `Base.metadata` is complete (Alembic, tests)."""

from app.accounts import models as accounts_models
from app.assignments import jury_models as assignment_jury_models
from app.assignments import marking_models as assignment_marking_models
from app.assignments import models as assignment_models
from app.core import idempotency as core_idempotency
from app.core import outbox as core_outbox
from app.core.db import Base
from app.courses import models as courses_models
from app.credits import degree_models as credit_degree_models
from app.credits import document_models as credit_document_models
from app.credits import models as credit_models
from app.credits import plan_models as credit_plan_models
from app.credits import recognition_models as credit_recognition_models
from app.credits import rules_models as credit_rules_models
from app.credits import transfer_models as credit_transfer_models
from app.enrolment import models as enrolment_models
from app.forums import models as forum_models
from app.grades import models as grade_models
from app.lti import platform_models as lti_platform_models
from app.lti import tool_models as lti_tool_models
from app.membership import models as membership_models
from app.messaging import models as messaging_models
from app.notifications import models as notification_models
from app.privacy import models as privacy_models
from app.quizzes import attempt_models as quiz_attempt_models
from app.quizzes import models as quiz_models
from app.reporting import models as reporting_models
from app.surveys import models as survey_models
from app.webhooks import models as webhook_models
from app.webinars import models as webinar_models

__all__ = [
    "Base",
    "accounts_models",
    "assignment_jury_models",
    "assignment_marking_models",
    "assignment_models",
    "core_idempotency",
    "core_outbox",
    "courses_models",
    "credit_degree_models",
    "credit_document_models",
    "credit_models",
    "credit_plan_models",
    "credit_recognition_models",
    "credit_rules_models",
    "credit_transfer_models",
    "enrolment_models",
    "forum_models",
    "grade_models",
    "lti_platform_models",
    "lti_tool_models",
    "membership_models",
    "messaging_models",
    "notification_models",
    "privacy_models",
    "quiz_attempt_models",
    "quiz_models",
    "reporting_models",
    "survey_models",
    "webhook_models",
    "webinar_models",
]
