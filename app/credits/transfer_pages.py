"""Credit transfer pages. Registrars' `/admin/credits/agreements` (the learning agreements they
keep, a new one, its lines, proposal, approval as home or as host, cancellation, revision) and
`/admin/credits/transfers` (results from hosts waiting for a decision); the learner's
`/me/credits/agreements` (their agreements, read-only, and proposing a draft). A refused form
is shown again with its message and writes nothing."""

from typing import Annotated, Any

from fastapi import Form, Query, Request
from fastapi.responses import Response

from app.accounts.deps import CurrentUser, PortalActor, page_router
from app.core.actors import Actor
from app.core.db import SessionDep
from app.core.forms import FormAttempt, attempt_form
from app.core.i18n import N_
from app.core.inputs import Id
from app.core.web import render, see_other
from app.credits.service import agreements, transfer_decisions, transfer_reads, transfer_views
from app.credits.transfer_models import LearningAgreement, TransferStatus
from app.credits.transfer_schemas import AgreementCreate, DecisionCreate, LineCreate

router = page_router()
Cursor = Annotated[str | None, Query(max_length=40)]
Text = Annotated[str, Form(max_length=300)]
LongText = Annotated[str, Form(max_length=2000)]
DESK = "/admin/credits/agreements"
MINE = "/me/credits/agreements"
TRANSFERS = "/admin/credits/transfers"
PAGE_SIZE = 50

STATUS_NAMES = {
    "draft": N_("Draft"),
    "proposed": N_("Proposed, awaiting approval"),
    "approved": N_("Approved by both sides"),
    "cancelled": N_("Cancelled"),
}
RESULT_NAMES = {
    "pending": N_("Needs a decision"),
    "recognised": N_("Recognised"),
    "refused": N_("Refused"),
}
WAITING_NAMES = {
    "no_agreement": N_("No approved learning agreement with this host"),
    "no_matching_line": N_("The agreement does not list this course"),
    "not_convertible": N_("Failing grade, or a grade the host's table does not list"),
    "no_grading_table": N_("A grading table is missing"),
}


def _render(request: Request, template: str, context: dict[str, Any], status: int) -> Response:
    names = {
        "status_names": STATUS_NAMES,
        "result_names": RESULT_NAMES,
        "waiting_names": WAITING_NAMES,
    }
    return render(request, f"credits/{template}", {**names, **context}, status)


def _status(attempt: FormAttempt) -> int:
    return 409 if attempt.code.startswith(("agreement_", "host_course", "transfer_")) else 400


def _blank(value: str) -> str | None:
    return value.strip() or None


# --- the registrars' desk ------------------------------------------------------------------


def _desk_page(
    request: Request, session: SessionDep, actor: Actor, *, cursor: str | None = None,
    form: dict[str, str] | None = None, errors: dict[str, str] | None = None, status: int = 200,
) -> Response:  # fmt: skip
    transfer_views.require_desk(actor)
    rows, next_cursor = transfer_reads.list_agreements(session, actor, cursor, PAGE_SIZE)
    context = {
        "agreements": rows, "next_cursor": next_cursor, "form": form or {},
        "errors": errors or {}, "institutions": transfer_views.institution_names(session),
        "programmes": transfer_views.programmes(session),
        "names": transfer_views.names_of(session, (a.learner_id for a in rows)),
    }  # fmt: skip
    return _render(request, "agreements.html", context, status)


@router.get(DESK)
def desk(
    request: Request, session: SessionDep, actor: PortalActor, _user: CurrentUser,
    cursor: Cursor = None,
) -> Response:  # fmt: skip
    return _desk_page(request, session, actor, cursor=cursor)


@router.post(DESK)
def new_agreement(
    request: Request, session: SessionDep, actor: PortalActor, _user: CurrentUser,
    learner_email: Text = "", host_institution_id: Text = "", programme_id: Text = "",
    period_from: Text = "", period_to: Text = "",
) -> Response:  # fmt: skip
    transfer_views.require_desk(actor)
    form = {
        "learner_email": learner_email, "host_institution_id": host_institution_id,
        "programme_id": programme_id, "period_from": period_from, "period_to": period_to,
    }  # fmt: skip
    with attempt_form(request, session) as attempt:
        learner_id = transfer_views.learner_by_email(session, actor, learner_email)
        fields = {k: v for k, v in form.items() if k != "learner_email"}
        data = AgreementCreate.model_validate({**fields, "learner_id": learner_id})
        created = agreements.create(session, actor, agreements.AgreementDraft(**data.model_dump()))
    if attempt.refused:
        return _desk_page(
            request, session, actor, form=form, errors=attempt.errors, status=_status(attempt)
        )
    return see_other(f"{DESK}/{created.id}")


def _agreement_page(
    request: Request, session: SessionDep, actor: Actor, agreement_id: int, *, mine: bool,
    form: dict[str, str] | None = None, errors: dict[str, str] | None = None, status: int = 200,
) -> Response:  # fmt: skip
    if mine:
        view = transfer_views.my_agreement(session, actor, agreement_id)
    else:
        transfer_views.require_desk(actor)
        view = transfer_views.agreement_view(session, actor, agreement_id)
    context = {
        "view": view, "a": view.agreement, "mine": mine, "base": MINE if mine else DESK,
        "form": form or {}, "errors": errors or {},
    }  # fmt: skip
    return _render(request, "agreement.html", context, status)


@router.get(DESK + "/{agreement_id}")
def agreement_page(
    request: Request, session: SessionDep, actor: PortalActor, _user: CurrentUser,
    agreement_id: Id,
) -> Response:  # fmt: skip
    return _agreement_page(request, session, actor, agreement_id, mine=False)


def _act(
    request: Request, session: SessionDep, actor: Actor, agreement_id: int, write: Any, *,
    mine: bool = False, form: dict[str, str] | None = None,
) -> Response:  # fmt: skip
    """Run one agreement action; on refusal show the agreement again with the message."""
    if not mine:
        transfer_views.require_desk(actor)
    with attempt_form(request, session) as attempt:
        outcome = write()
    if attempt.refused:
        return _agreement_page(
            request, session, actor, agreement_id, mine=mine, form=form,
            errors=attempt.errors, status=_status(attempt),
        )  # fmt: skip
    # A revision is a new agreement: show it.
    target = outcome.id if isinstance(outcome, LearningAgreement) else agreement_id
    return see_other(f"{MINE if mine else DESK}/{target}?saved=1")


@router.post(DESK + "/{agreement_id}/lines")
def add_line(
    request: Request, session: SessionDep, actor: PortalActor, _user: CurrentUser,
    agreement_id: Id, host_course_code: Text = "", host_course_title: Text = "",
    host_credits: Text = "", home_course_id: Text = "", host_scale_code: Text = "",
    isced_code: Text = "", eqf_level: Text = "",
) -> Response:  # fmt: skip
    form = {
        "host_course_code": host_course_code, "host_course_title": host_course_title,
        "host_credits": host_credits, "home_course_id": home_course_id,
        "host_scale_code": host_scale_code, "isced_code": isced_code, "eqf_level": eqf_level,
    }  # fmt: skip

    def write() -> object:
        optional = ("host_scale_code", "isced_code", "eqf_level")
        data = LineCreate.model_validate(
            {k: _blank(v) if k in optional else v for k, v in form.items()}
        )
        return agreements.add_line(
            session, actor, agreement_id, agreements.LineDraft(**data.model_dump())
        )

    return _act(request, session, actor, agreement_id, write, form=form)


@router.post(DESK + "/{agreement_id}/lines/{line_id}/delete")
def remove_line(
    request: Request, session: SessionDep, actor: PortalActor, _user: CurrentUser,
    agreement_id: Id, line_id: Id,
) -> Response:  # fmt: skip
    def write() -> None:
        agreements.remove_line(session, actor, agreement_id, line_id)

    return _act(request, session, actor, agreement_id, write)


@router.post(DESK + "/{agreement_id}/proposal")
def propose(
    request: Request, session: SessionDep, actor: PortalActor, _user: CurrentUser,
    agreement_id: Id,
) -> Response:  # fmt: skip
    return _act(
        request, session, actor, agreement_id,
        lambda: agreements.propose(session, actor, agreement_id),
    )  # fmt: skip


@router.post(DESK + "/{agreement_id}/home-approval")
def approve_as_home(
    request: Request, session: SessionDep, actor: PortalActor, _user: CurrentUser,
    agreement_id: Id,
) -> Response:  # fmt: skip
    return _act(
        request, session, actor, agreement_id,
        lambda: agreements.approve_as_home(session, actor, agreement_id),
    )  # fmt: skip


@router.post(DESK + "/{agreement_id}/host-approval")
def approve_as_host(
    request: Request, session: SessionDep, actor: PortalActor, _user: CurrentUser,
    agreement_id: Id,
) -> Response:  # fmt: skip
    return _act(
        request, session, actor, agreement_id,
        lambda: agreements.approve_as_host(session, actor, agreement_id),
    )  # fmt: skip


@router.post(DESK + "/{agreement_id}/cancellation")
def cancel(
    request: Request, session: SessionDep, actor: PortalActor, _user: CurrentUser,
    agreement_id: Id, reason: LongText = "",
) -> Response:  # fmt: skip
    return _act(
        request, session, actor, agreement_id,
        lambda: agreements.cancel(session, actor, agreement_id, reason.strip()),
    )  # fmt: skip


@router.post(DESK + "/{agreement_id}/revisions")
def revise(
    request: Request, session: SessionDep, actor: PortalActor, _user: CurrentUser,
    agreement_id: Id, reason: LongText = "",
) -> Response:  # fmt: skip
    return _act(
        request, session, actor, agreement_id,
        lambda: agreements.revise(session, actor, agreement_id, reason.strip()),
    )  # fmt: skip


# --- results waiting for a decision ---------------------------------------------------------


def _transfers_page(
    request: Request, session: SessionDep, actor: Actor, *, show: str = "pending",
    cursor: str | None = None, errors: dict[str, str] | None = None,
    failed_id: int | None = None, status: int = 200,
) -> Response:  # fmt: skip
    transfer_views.require_desk(actor)
    wanted = TransferStatus.PENDING if show == "pending" else None
    rows, next_cursor = transfer_reads.list_results(
        session, actor, cursor, PAGE_SIZE, status=wanted
    )
    context = {
        "results": rows, "next_cursor": next_cursor, "show": show, "errors": errors or {},
        "failed_id": failed_id, "institutions": transfer_views.institution_names(session),
        "names": transfer_views.names_of(session, (r.learner_id for r in rows)),
    }  # fmt: skip
    return _render(request, "transfers.html", context, status)


@router.get(TRANSFERS)
def transfers(
    request: Request, session: SessionDep, actor: PortalActor, _user: CurrentUser,
    show: Annotated[str, Query(pattern="^(pending|all)$")] = "pending", cursor: Cursor = None,
) -> Response:  # fmt: skip
    return _transfers_page(request, session, actor, show=show, cursor=cursor)


@router.post(TRANSFERS + "/{result_id}/decision")
def decide(
    request: Request, session: SessionDep, actor: PortalActor, _user: CurrentUser,
    result_id: Id, action: Text = "", reason: LongText = "",
) -> Response:  # fmt: skip
    transfer_views.require_desk(actor)
    with attempt_form(request, session) as attempt:
        data = DecisionCreate.model_validate({"action": action, "reason": reason})
        transfer_decisions.decide(
            session, actor, result_id, data.action, reason=data.reason.strip()
        )
    if attempt.refused:
        return _transfers_page(
            request, session, actor, errors=attempt.errors, failed_id=result_id,
            status=_status(attempt),
        )  # fmt: skip
    return see_other(f"{TRANSFERS}?saved=1")


# --- the learner's agreements --------------------------------------------------------------


@router.get(MINE)
def my_agreements(
    request: Request, session: SessionDep, actor: PortalActor, user: CurrentUser,
    cursor: Cursor = None,
) -> Response:  # fmt: skip
    rows, next_cursor = transfer_reads.list_agreements(
        session, actor, cursor, PAGE_SIZE, learner_id=user.id
    )
    context = {
        "agreements": rows, "next_cursor": next_cursor,
        "institutions": transfer_views.institution_names(session),
    }  # fmt: skip
    return _render(request, "agreements_mine.html", context, 200)


@router.get(MINE + "/{agreement_id}")
def my_agreement(
    request: Request, session: SessionDep, actor: PortalActor, _user: CurrentUser,
    agreement_id: Id,
) -> Response:  # fmt: skip
    return _agreement_page(request, session, actor, agreement_id, mine=True)


@router.post(MINE + "/{agreement_id}/proposal")
def propose_mine(
    request: Request, session: SessionDep, actor: PortalActor, _user: CurrentUser,
    agreement_id: Id,
) -> Response:  # fmt: skip
    def write() -> object:
        transfer_views.my_agreement(session, actor, agreement_id)
        return agreements.propose(session, actor, agreement_id)

    return _act(request, session, actor, agreement_id, write, mine=True)
