"""What a person's export holds and what their erasure does, table by table: every table with
a column pointing at `users.id` is listed here (a test fails when one is not), either exported,
with the columns withheld from the export (secrets), or left out with the reason; and erased
by deleting the person's rows, by clearing some of their columns, or kept with the reason.

Tables are found in `Base.metadata`: nothing here imports a domain, so a new domain's table
is a new line here, not new code."""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, Table, false, select

from app.core.db import utcnow

# An erased person's e-mail address, given where a column held their address.
ERASED_EMAIL = object()
# The moment of the erasure.
NOW = object()

Condition = Callable[[Table, int], ColumnElement[bool]]


def _nothing(_table: Table, _person: int) -> ColumnElement[bool]:
    return false()


@dataclass(frozen=True)
class Export:
    """The rows where one of `on` (every column pointing at users when empty) is the person,
    plus the rows `also` selects; `withheld` columns are never written into the export."""

    on: tuple[str, ...] = ()
    withheld: frozenset[str] = frozenset()
    also: Condition = _nothing


@dataclass(frozen=True)
class NotExported:
    reason: str


@dataclass(frozen=True)
class Delete:
    """The rows where one of `on` (every column pointing at users when empty) is the person."""

    on: tuple[str, ...] = ()


@dataclass(frozen=True)
class Clear:
    """Set `values` on the rows where one of `on` is the person (and `only` holds)."""

    on: tuple[str, ...]
    values: Mapping[str, Any]
    only: Callable[[Table], ColumnElement[bool]] | None = None


@dataclass(frozen=True)
class Keep:
    """Rows kept as they are: they point at the erased account, which names nobody."""

    reason: str


@dataclass(frozen=True)
class Special:
    """Handled by its own step of the erasure (`erasure.py`), which says how."""

    reason: str


Erasure = Delete | Clear | Keep | Special


@dataclass(frozen=True)
class Rule:
    export: Export | NotExported
    erase: tuple[Erasure, ...] = field(default_factory=tuple)


def _keep(reason: str) -> Rule:
    return Rule(Export(), (Keep(reason),))


def _delete(withheld: frozenset[str] = frozenset(), on: tuple[str, ...] = ()) -> Rule:
    return Rule(Export(withheld=withheld), (Delete(on),))


ACTOR = "records who did what; they name the erased account only"
FIGURES = "counted in the course's and programme's figures; they name the erased account only"
LEGAL = "a legal record, kept for PRIVACY_LEGAL_RECORD_YEARS (see docs/privacy.md)"


def _about_them(table: Table, person: int) -> ColumnElement[bool]:
    """Audit entries whose subject is the person, whoever acted."""
    return table.c.subject == f"user:{person}"


def _their_conversations(table: Table, person: int) -> ColumnElement[bool]:
    """The messages written to the person, in their conversations."""
    conversations = table.metadata.tables["conversations"]
    theirs = conversations.select().with_only_columns(conversations.c.id)
    mine = theirs.where(
        (conversations.c.first_user_id == person) | (conversations.c.second_user_id == person)
    )
    return table.c.conversation_id.in_(mine)


def _individual(table: Table) -> ColumnElement[bool]:
    return table.c.group_id.is_(None)


def _seat_ahead(table: Table) -> ColumnElement[bool]:
    """A registration still holding a place in a session not over yet."""
    sessions = table.metadata.tables["webinar_sessions"]
    ahead = select(sessions.c.id).where(sessions.c.ends_at > utcnow())
    return table.c.session_id.in_(ahead) & (table.c.status != "cancelled")


RULES: dict[str, Rule] = {
    "users": Rule(
        Export(on=("id",), withheld=frozenset({"password_hash"})),
        (Special("the account is kept, without name, address, password or settings"),),
    ),
    "api_clients": Rule(Export(withheld=frozenset({"secret_hash"})), (Keep(ACTOR),)),
    "cohort_members": _keep(FIGURES),
    "conversations": _keep("the other person's conversation; the person's messages are blanked"),
    "course_completions": _keep(FIGURES),
    "course_results": _keep(FIGURES),
    "double_degrees": _keep(ACTOR),
    "enrolments": _keep(FIGURES),
    "external_ids": _delete(),
    "grading_tables": _keep(ACTOR),
    "issued_documents": _keep(LEGAL),
    "learner_advisors": _delete(on=("user_id", "advisor_id")),
    "learner_profiles": _delete(),
    "learning_plans": _keep(FIGURES),
    "lti_identities": _delete(),
    # Who blocked the person is the blocker's business: only the person's own blocks.
    "message_blocks": Rule(Export(on=("blocker_id",)), (Delete(),)),
    "notification_preferences": _delete(),
    "notifications": _delete(),
    "password_reset_tokens": _delete(frozenset({"token_digest"})),
    "programme_enrolments": _keep(FIGURES),
    "recognition_applications": Rule(
        Export(),
        (Clear(("user_id",), {"experience_markdown": "", "experience_html": ""}),),
    ),
    "refresh_tokens": _delete(frozenset({"token_digest", "family"})),
    "surveys": Rule(Export(withheld=frozenset({"public_token_digest"})), (Keep(ACTOR),)),
    "unsubscribe_keys": _delete(frozenset({"token"})),
    "user_sessions": _delete(frozenset({"token_digest"})),
    "webinar_calendar_feeds": _delete(frozenset({"token_digest"})),
    "audit_log": Rule(Export(also=_about_them), (Keep(LEGAL),)),
    "course_edits": _keep(ACTOR),
    "course_group_members": _keep("the group's shared work stays the group's"),
    "credit_entries": _keep(LEGAL),
    "enrolment_changes": _keep(ACTOR),
    "intake_runs": _keep(ACTOR),
    "intake_rows": Rule(
        Export(), (Clear(("user_id",), {"email": ERASED_EMAIL, "external_id": "erased"}),)
    ),
    "learning_agreements": _keep(FIGURES),
    "learning_plan_changes": _keep(ACTOR),
    "private_messages": Rule(
        Export(also=_their_conversations),
        (Clear(("sender_id",), {"body_markdown": "", "body_html": ""}),),
    ),
    "recognition_decisions": _keep(LEGAL),
    "recognition_jury_members": _keep(ACTOR),
    "survey_invitations": _delete(),
    "survey_responses": Rule(Export(), (Clear(("user_id",), {"user_id": None}),)),
    "completion_events": _keep(FIGURES),
    "lti_grade_links": _delete(),
    "message_reports": _delete(),
    "module_completions": _keep(FIGURES),
    "question_versions": _keep(ACTOR),
    "webinar_sessions": Rule(Export(withheld=frozenset({"events_token_digest"})), (Keep(ACTOR),)),
    "assignment_extensions": _keep(FIGURES),
    "assignment_group_overrides": _keep(ACTOR),
    "assignment_participants": _keep(FIGURES),
    "forum_subscriptions": _delete(),
    "forum_threads": Rule(Export(), (Clear(("author_id",), {"author_id": None}),)),
    "grades": _keep(FIGURES),
    "jury_members": _keep(ACTOR),
    "quiz_attempts": _keep(FIGURES),
    "quiz_overrides": _keep(FIGURES),
    "submissions": Rule(
        Export(),
        (
            Clear(("user_id",), {"text_markdown": "", "text_html": ""}, only=_individual),
            Clear(("submitted_by_id",), {"submitted_by_id": None}),
        ),
    ),
    "transfer_results": _keep(LEGAL),
    "webinar_attendance_events": _keep(FIGURES),
    "webinar_hosts": _keep(ACTOR),
    "webinar_recordings": _keep(ACTOR),
    # Past ones are counted in attendance figures; a place ahead is given up.
    "webinar_registrations": Rule(
        Export(),
        (Clear(("user_id",), {"status": "cancelled", "cancelled_at": NOW}, only=_seat_ahead),),
    ),
    "webinar_reminders": _delete(),
    "defences": _keep(ACTOR),
    "forum_posts": Rule(Export(), (Clear(("author_id",), {"author_id": None}),)),
    "forum_reads": _delete(),
    "grade_changes": _keep(ACTOR),
    "jury_decisions": _keep(ACTOR),
    "lti_score_times": _keep(FIGURES),
    "markings": _keep(ACTOR),
    "submission_confirmations": _keep(FIGURES),
    "webinar_attendance": _keep(FIGURES),
    "forum_post_reports": Rule(Export(), (Clear(("reporter_id",), {"reporter_id": None}),)),
    "member_grade_overrides": _keep(FIGURES),
    "report_readers": _delete(),
    "privacy_officers": Rule(Export(), (Delete(("user_id",)),)),
    "erasure_requests": _keep("the record of the erasure itself"),
}

# Kept word for word, with whatever names they hold, for their retention period: the signed
# documents (their signature covers the name) and the audit trail.
LEGAL_RECORD_TABLES = frozenset({"issued_documents", "audit_log"})


@dataclass(frozen=True)
class Upload:
    """Files the person put up: rows of `table` whose `parent` row is theirs (by `person`)."""

    table: str
    parent_column: str
    parent: str
    person: str
    only: Callable[[Table], ColumnElement[bool]] | None = None


# Deleted on erasure with their stored content (unless something else still uses it). A group
# submission's files are the group's work and stay.
UPLOADS = (
    Upload("submission_files", "submission_id", "submissions", "user_id", only=_individual),
    Upload("forum_post_files", "post_id", "forum_posts", "author_id"),
    Upload("recognition_evidence", "application_id", "recognition_applications", "user_id"),
)
