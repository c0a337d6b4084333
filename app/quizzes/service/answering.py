"""Answering an attempt page by page, checking a question of a self-check quiz, and submitting.
Sequential navigation refuses an earlier page; after the deadline no answer is accepted (what
was saved before stays), and only a submit is, during a grace period."""

from collections.abc import Callable, Mapping

from sqlalchemy.orm import Session

from app.core.actors import Actor
from app.core.errors import Conflict, Invalid
from app.core.i18n import N_
from app.quizzes.attempt_models import AttemptState, Navigation
from app.quizzes.questions.types import FormValues, for_type
from app.quizzes.service import grading
from app.quizzes.service.attempts import AttemptView, open_attempt
from app.quizzes.service.timing import OPEN_STATES, may_still_submit, time_up


class SequentialNavigation(Conflict):
    code = "sequential_navigation"
    title = N_("This quiz goes forward only: earlier pages cannot be opened again.")


class AttemptTimeUp(Conflict):
    code = "attempt_time_up"
    title = N_("The time for this attempt is up: your earlier answers are kept.")
    # The expiry rule applied while refusing (finished or overdue) is kept.
    keeps_changes = True


class AttemptClosed(Conflict):
    code = "attempt_closed"
    title = N_("This attempt is over.")


def check_page(view: AttemptView, page: int) -> None:
    """A page the learner may open: one of the attempt's, not before the current one when
    navigation is sequential."""
    if not 1 <= page <= view.pages:
        raise Invalid(N_("No such page."), field="page")
    sequential = view.access.quiz.navigation is Navigation.SEQUENTIAL
    if sequential and page < view.attempt.current_page:
        raise SequentialNavigation()


def _answerable(view: AttemptView) -> None:
    if view.attempt.state is AttemptState.OVERDUE or time_up(view.attempt, view.now):
        raise AttemptTimeUp()
    if view.attempt.state not in OPEN_STATES:
        raise AttemptClosed()


def save_page(
    session: Session,
    actor: Actor,
    attempt_id: int,
    page: int,
    forms: Mapping[int, FormValues],
    *,
    next_page: int | Callable[[int], int | None] | None = None,
    check: int | None = None,
) -> AttemptView:
    """Save the answers given on one page (slot position → its form fields, without prefix) and
    move to `next_page`, or to the page a function of the attempt's number of pages gives (a
    form's "next" on the last page goes to the summary), so the attempt is read only once.
    `check`: a self-check quiz grades that slot now to show its feedback."""
    view = open_attempt(session, actor, attempt_id, lock=True)
    if callable(next_page):
        next_page = next_page(view.pages)
    _answerable(view)
    check_page(view, page)
    if next_page is not None:
        check_page(view, next_page)
    on_page = view.on_page(page)
    # The slots' types are in their prompts; a version is read only to grade a checked one.
    checking = check is not None and view.access.quiz.self_check
    known = {slot.id: grading.prompt_qtype(slot) for slot in on_page}
    needs_versions = checking or None in known.values()
    versions = grading.versions_of(session, on_page) if needs_versions else {}
    for slot in on_page:
        if slot.position not in forms or slot.checked:
            continue
        qtype = known[slot.id]
        kind = for_type(versions[slot.question_version_id].qtype if qtype is None else qtype)
        response = kind.read_response("", forms[slot.position])
        if response != (slot.response or {}):
            slot.response = response
            slot.answered_at = view.now if response else None
        if check == slot.position and view.access.quiz.self_check:
            grading.grade_slot(slot, versions[slot.question_version_id])
            slot.checked = True
    if check is not None and not any(s.position == check for s in view.on_page(page)):
        raise Invalid(N_("No such question on this page."), field="check")
    view.attempt.current_page = max(view.attempt.current_page, next_page or page)
    if view.access.quiz.navigation is Navigation.FREE:
        view.attempt.current_page = next_page or page
    view.attempt.version += 1
    session.flush()
    return view


def submit(session: Session, actor: Actor, attempt_id: int) -> AttemptView:
    """Finish the attempt with what was saved and grade it; allowed until the deadline, or the
    end of the grace period when the quiz has one."""
    view = open_attempt(session, actor, attempt_id, lock=True)
    if view.attempt.state is AttemptState.FINISHED:
        return view
    if not may_still_submit(view.attempt, view.now):
        raise AttemptClosed() if view.attempt.state not in OPEN_STATES else AttemptTimeUp()
    grading.finish(session, view.access.quiz, view.attempt, view.now)
    return view
