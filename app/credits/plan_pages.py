"""The learner's credits pages: `/me/credits` (per programme enrolled in: a progress bar of
earned / required, the mandatory courses and their status, what is missing, the electives
chosen, contact hours, eligibility, the plan per semester with its form, the standing toward
each degree of a double-degree agreement, and links to the other credits pages) and the same
view of one learner for registrars and advisors (`/admin/learners/{user_id}/credits/{code}`),
with the plan form and the advisors. A refused form is shown again with its message and
writes nothing."""

from collections.abc import Callable, Sequence
from typing import Annotated, Any

from fastapi import Form, Request
from fastapi.responses import Response

from app.accounts.deps import CurrentUser, PortalActor, page_router
from app.core.actors import Actor
from app.core.db import SessionDep
from app.core.forms import attempt_form
from app.core.i18n import translations_for
from app.core.inputs import Id
from app.core.web import render, request_locale, see_other
from app.credits import policy
from app.credits.plan_schemas import PlanUpdate
from app.credits.service import degrees, plans, recognition_lists
from app.credits.service.progress import MISSING

router = page_router()
FormText = Annotated[str, Form(max_length=320)]
FormList = Annotated[list[str], Form()]
MINE = "/me/credits"
LEARNER = "/admin/learners/{user_id}/credits/{code}"


def _gettext(request: Request) -> Callable[[str], str]:
    return translations_for(request_locale(request)).gettext


def plan_rows(current: plans.LearnerPlan) -> list[dict[str, Any]]:
    """The rows of the plan form: every course still missing that is mandatory or elective in a
    group, with the semester it sits in now (None for an elective not chosen)."""
    chosen = {course_id for group in current.progress.electives for course_id in group.chosen}
    rows = []
    for standing in current.progress.courses:
        elective = standing.course_id in current.ruleset.group_of and not standing.mandatory
        if standing.status != MISSING or not (standing.mandatory or elective):
            continue
        semester = standing.planned_semester
        if semester is None and (standing.mandatory or standing.course_id in chosen):
            semester = standing.semester
        rows.append({"standing": standing, "elective": elective, "semester": semester})
    return rows


def _block(request: Request, current: plans.LearnerPlan, **extra: Any) -> dict[str, Any]:
    """Everything one programme's section shows."""
    return {
        "current": current,
        "reasons": current.progress.reasons(_gettext(request)),
        "rows": plan_rows(current),
        "semesters": range(1, current.ruleset.semesters + 1),
        **extra,
    }


def _degree_blocks(request: Request, found: Sequence[degrees.AgreementStanding]) -> list[Any]:
    gettext = _gettext(request)
    return [
        {"agreement": s.agreement, "degrees": [(d, d.reasons(gettext)) for d in s.degrees]}
        for s in found
    ]


def _mine(
    request: Request,
    session: SessionDep,
    actor: Actor,
    user: CurrentUser,
    failed: dict[str, Any] | None = None,
    status: int = 200,
) -> Response:
    failed = failed or {}
    blocks = [
        _block(
            request, current,
            errors=failed.get("errors", {}) if failed.get("code") == current.programme.code else {},
            action=f"{MINE}/{current.programme.code}/plan", mine=True,
        )
        for current in plans.my_plans(session, actor, user)
    ]  # fmt: skip
    context = {
        "blocks": blocks,
        "double_degrees": _degree_blocks(request, degrees.standings_of(session, user.id)),
        "advised": plans.advised_learners(session, actor),
        "juror": recognition_lists.sits_on_a_jury(session, actor.user_id),
    }
    return render(request, "credits/my_credits.html", context, status=status)


@router.get(MINE)
def my_credits(
    request: Request, session: SessionDep, actor: PortalActor, user: CurrentUser
) -> Response:
    return _mine(request, session, actor, user)


def plan_update(course: Sequence[str], semester: Sequence[str]) -> PlanUpdate:
    """The plan form as the service reads it: each row with a semester (an elective left on
    "not chosen" has none)."""
    rows = [
        {"course_code": code, "semester": chosen}
        for code, chosen in zip(course, semester, strict=False)
        if chosen
    ]
    return PlanUpdate.model_validate({"courses": rows})


def _status(code: str) -> int:
    return 409 if code == "course_already_earned" else 422 if code != "validation_error" else 400


@router.post(MINE + "/{code}/plan")
def change_my_plan(
    request: Request,
    session: SessionDep,
    actor: PortalActor,
    user: CurrentUser,
    code: str,
    course: FormList = [],  # noqa: B006  (FastAPI copies form defaults)
    semester: FormList = [],  # noqa: B006
) -> Response:
    programme = code[:32]
    with attempt_form(request, session) as attempt:
        plans.change_plan(session, actor, user.id, programme, plan_update(course, semester))
    if attempt.refused:
        failed = {"code": programme, "errors": attempt.errors}
        return _mine(request, session, actor, user, failed, status=_status(attempt.code))
    return see_other(f"{MINE}?saved={programme}#programme-{programme}")


# --- registrars and advisors ----------------------------------------------------------------


def _learner_page(
    request: Request,
    session: SessionDep,
    actor: Actor,
    user_id: int,
    code: str,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    current = plans.read_plan(session, actor, user_id, code)
    learner, programme = current.learner, current.programme
    base = LEARNER.format(user_id=learner.id, code=programme.code)
    names_advisors = policy.can_name_advisors(actor, learner.institution_id)
    context = {
        "block": _block(
            request, current, action=f"{base}/plan",
            errors={k: v for k, v in (errors or {}).items() if k != "email"},
            editable=plans.may_change(session, actor, learner, programme),
        ),
        "learner": learner,
        "base": base,
        "advisors": plans.list_advisors(session, actor, learner.id, programme.code),
        "names_advisors": names_advisors,
        "errors": errors or {},
    }  # fmt: skip
    return render(request, "credits/plan_learner.html", context, status=status)


@router.get(LEARNER)
def learner_credits(
    request: Request,
    session: SessionDep,
    actor: PortalActor,
    _user: CurrentUser,
    user_id: Id,
    code: str,
) -> Response:
    return _learner_page(request, session, actor, user_id, code[:32])


def _attempt(
    request: Request,
    session: SessionDep,
    actor: Actor,
    user_id: int,
    code: str,
    write: Callable[[], object],
    anchor: str,
) -> Response:
    with attempt_form(request, session) as attempt:
        write()
    if attempt.refused:
        status = _status(attempt.code)
        return _learner_page(request, session, actor, user_id, code, attempt.errors, status)
    return see_other(LEARNER.format(user_id=user_id, code=code) + f"?saved=1#{anchor}")


@router.post(LEARNER + "/plan")
def change_learner_plan(
    request: Request,
    session: SessionDep,
    actor: PortalActor,
    _user: CurrentUser,
    user_id: Id,
    code: str,
    course: FormList = [],  # noqa: B006
    semester: FormList = [],  # noqa: B006
) -> Response:
    code = code[:32]
    return _attempt(
        request, session, actor, user_id, code,
        lambda: plans.change_plan(session, actor, user_id, code, plan_update(course, semester)),
        "plan",
    )  # fmt: skip


@router.post(LEARNER + "/advisors")
def name_advisor(
    request: Request,
    session: SessionDep,
    actor: PortalActor,
    _user: CurrentUser,
    user_id: Id,
    code: str,
    email: FormText = "",
) -> Response:
    code = code[:32]
    return _attempt(
        request, session, actor, user_id, code,
        lambda: plans.name_advisor_by_email(session, actor, user_id, code, email),
        "advisors",
    )  # fmt: skip


@router.post(LEARNER + "/advisors/{advisor_id}/remove")
def remove_advisor(
    session: SessionDep,
    actor: PortalActor,
    _user: CurrentUser,
    user_id: Id,
    code: str,
    advisor_id: Id,
) -> Response:
    code = code[:32]
    plans.remove_advisor(session, actor, user_id, code, advisor_id)
    return see_other(LEARNER.format(user_id=user_id, code=code) + "?saved=1#advisors")
