"""The registrars' double-degree pages: `/admin/credits/double-degrees` lists the agreements
their institution is a party to and records a new one (two or three parties from the form);
an agreement's page changes its title and its shared courses, or removes it. A refused form is
shown again with its message and writes nothing."""

from collections.abc import Callable, Sequence
from typing import Annotated, Any

from fastapi import Form, Request
from fastapi.responses import Response

from app.accounts.deps import CurrentUser, PortalActor, page_router
from app.core.actors import Actor
from app.core.db import SessionDep
from app.core.forms import attempt_form
from app.core.inputs import Id
from app.core.web import render, see_other
from app.credits import policy
from app.credits.degree_models import DoubleDegree
from app.credits.degree_schemas import DoubleDegreeCreate, DoubleDegreeUpdate
from app.credits.service import degrees

router = page_router()
FormText = Annotated[str, Form(max_length=300)]
FormList = Annotated[list[str], Form()]
LIST = "/admin/credits/double-degrees"
PARTY_ROWS = 3


def _list_page(
    request: Request,
    session: SessionDep,
    actor: Actor,
    form: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    context = {
        "agreements": degrees.list_agreements(session, actor),
        "may_create": policy.registers_double_degrees(actor),
        "form": form or {},
        "errors": errors or {},
        "party_rows": range(PARTY_ROWS),
    }
    return render(request, "credits/degree_list.html", context, status=status)


@router.get(LIST)
def double_degrees(
    request: Request, session: SessionDep, actor: PortalActor, _user: CurrentUser
) -> Response:
    return _list_page(request, session, actor)


def _parties(
    institution: Sequence[str], programme: Sequence[str], degree: Sequence[str]
) -> list[dict[str, str]]:
    """The party rows the registrar filled in (a row left empty is no party)."""
    rows = zip(institution, programme, degree, strict=False)
    return [
        {"institution_code": i, "programme_code": p, "degree_title": d}
        for i, p, d in rows
        if i or p or d
    ]


def _status(code: str) -> int:
    return {"validation_error": 400, "double_degree_code_taken": 409}.get(code, 422)


@router.post(LIST)
def create_double_degree(
    request: Request,
    session: SessionDep,
    actor: PortalActor,
    _user: CurrentUser,
    code: FormText = "",
    title: FormText = "",
    institution_code: FormList = [],  # noqa: B006  (FastAPI copies form defaults)
    programme_code: FormList = [],  # noqa: B006
    degree_title: FormList = [],  # noqa: B006
) -> Response:
    form = {
        "code": code,
        "title": title,
        "parties": _parties(institution_code, programme_code, degree_title)[:PARTY_ROWS],
    }
    with attempt_form(request, session) as attempt:
        created = degrees.create_agreement(session, actor, DoubleDegreeCreate.model_validate(form))
    if attempt.refused:
        status = _status(attempt.code)
        return _list_page(request, session, actor, form, attempt.errors, status)
    return see_other(f"{LIST}/{created.id}?saved=1")


def _agreement_page(
    request: Request,
    session: SessionDep,
    actor: Actor,
    agreement_id: int,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    agreement = degrees.get_agreement(session, actor, agreement_id)
    context = {
        "agreement": agreement,
        "may_manage": policy.can_manage_double_degree(
            actor, [p.institution_id for p in agreement.parties]
        ),
        "errors": errors or {},
    }
    return render(request, "credits/degree_edit.html", context, status=status)


@router.get(LIST + "/{agreement_id}")
def double_degree(
    request: Request, session: SessionDep, actor: PortalActor, _user: CurrentUser, agreement_id: Id
) -> Response:
    return _agreement_page(request, session, actor, agreement_id)


def _shared(agreement: DoubleDegree) -> list[dict[str, str]]:
    return [
        {"course_code": s.course.code, "credits": f"{s.credits.normalize():f}"}
        for s in agreement.shared_courses
    ]


def _attempt(
    request: Request,
    session: SessionDep,
    actor: Actor,
    agreement_id: int,
    change: Callable[[DoubleDegree], dict[str, Any]],
) -> Response:
    agreement = degrees.get_agreement(session, actor, agreement_id)
    with attempt_form(request, session) as attempt:
        data = DoubleDegreeUpdate.model_validate(change(agreement))
        degrees.update_agreement(session, actor, agreement_id, data)
    if attempt.refused:
        status = _status(attempt.code)
        return _agreement_page(request, session, actor, agreement_id, attempt.errors, status)
    return see_other(f"{LIST}/{agreement_id}?saved=1")


@router.post(LIST + "/{agreement_id}")
def rename_double_degree(
    request: Request,
    session: SessionDep,
    actor: PortalActor,
    _user: CurrentUser,
    agreement_id: Id,
    title: FormText = "",
) -> Response:
    return _attempt(request, session, actor, agreement_id, lambda _a: {"title": title})


@router.post(LIST + "/{agreement_id}/courses")
def add_shared_course(
    request: Request,
    session: SessionDep,
    actor: PortalActor,
    _user: CurrentUser,
    agreement_id: Id,
    course_code: FormText = "",
    credits: FormText = "",
) -> Response:
    added = {"course_code": course_code, "credits": credits or None}
    return _attempt(
        request, session, actor, agreement_id,
        lambda a: {"shared_courses": [*_shared(a), added]},
    )  # fmt: skip


@router.post(LIST + "/{agreement_id}/courses/{course_code}/remove")
def remove_shared_course(
    request: Request,
    session: SessionDep,
    actor: PortalActor,
    _user: CurrentUser,
    agreement_id: Id,
    course_code: str,
) -> Response:
    return _attempt(
        request, session, actor, agreement_id,
        lambda a: {"shared_courses": [s for s in _shared(a) if s["course_code"] != course_code]},
    )  # fmt: skip


@router.post(LIST + "/{agreement_id}/delete")
def delete_double_degree(
    session: SessionDep, actor: PortalActor, _user: CurrentUser, agreement_id: Id
) -> Response:
    degrees.delete_agreement(session, actor, agreement_id)
    return see_other(f"{LIST}?deleted=1")
