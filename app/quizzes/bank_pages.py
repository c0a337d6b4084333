"""The question bank's pages for a course's teachers: the list with filters, the editor per
type (without JavaScript), the preview as a learner sees it, tags, moving and retiring."""

from typing import Annotated, Any

from fastapi import Depends, Form, Query, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from app.accounts.deps import CurrentUser, PortalActor, page_router
from app.core.actors import Actor
from app.core.db import SessionDep
from app.core.errors import NotFound
from app.core.forms import attempt_form
from app.core.i18n import N_
from app.core.inputs import Id
from app.core.web import render, see_other
from app.courses.models import Course
from app.quizzes import bank_forms
from app.quizzes.bank_forms import posted_form
from app.quizzes.bank_schemas import QuestionCreate, QuestionUpdate
from app.quizzes.models import QuestionType
from app.quizzes.service import bank, categories
from app.quizzes.service.bank import Entry, QuestionFilter
from app.quizzes.service.bank_access import bank_by_code

router = page_router()
Posted = Annotated[dict[str, list[str]], Depends(posted_form)]
Text = Annotated[str, Form(max_length=200)]
ROW_KINDS = {
    QuestionType.MULTICHOICE: ("choice",),
    QuestionType.SHORTANSWER: ("answer",),
    QuestionType.NUMERICAL: ("answer", "unit"),
    QuestionType.MATCHING: ("pair",),
}


def _qtype(value: str) -> QuestionType:
    try:
        return QuestionType(value)
    except ValueError:
        raise NotFound(N_("No such question type.")) from None


@router.get("/courses/{code}/questions")
def question_list(
    request: Request,
    session: SessionDep,
    actor: PortalActor,
    _user: CurrentUser,
    code: str,
    category: Annotated[Id | None, Query()] = None,
    tag: Annotated[str, Query(max_length=64)] = "",
    q: Annotated[str, Query(max_length=200)] = "",
    retired: Annotated[bool, Query()] = False,
    page: Annotated[int, Query(ge=1, le=100000)] = 1,
) -> Response:
    found = bank_by_code(session, actor, code)
    wanted = QuestionFilter(
        category_id=category, tag=tag or None, search=q or None, retired=retired, page=page
    )
    listing = bank.list_questions(session, actor, found.course.id, wanted)
    context = {
        "course": found.course, "listing": listing,
        "tree": categories.category_tree(session, found.course.id),
        "filters": {"category": category, "tag": tag, "q": q, "retired": retired},
        "qtypes": list(QuestionType),
    }  # fmt: skip
    return render(request, "quizzes/bank_list.html", context)


def _editor(
    request: Request,
    session: Session,
    actor: Actor,
    course: Course,
    qtype: QuestionType,
    values: dict[str, str],
    errors: dict[str, str] | None = None,
    entry: Entry | None = None,
) -> Response:
    errors = errors or {}
    context: dict[str, Any] = {
        "course": course, "qtype": qtype, "values": values, "errors": errors, "entry": entry,
        "tree": categories.category_tree(session, course.id),
        "rows": {p: bank_forms.row_count(values, p) for p in ROW_KINDS.get(qtype, ())},
        "problems": [(bank_forms.row_of(field), message) for field, message in errors.items()],
    }  # fmt: skip
    if entry is not None:
        context["versions"] = bank.list_versions(session, actor, entry.question.id)
    return render(request, "quizzes/bank_form.html", context, 400 if errors else 200)


def _written(form: Posted, qtype: QuestionType) -> dict[str, Any]:
    one = bank_forms.one
    category = one(form, "category_id")
    return {
        "name": one(form, "name"), "text": one(form, "text"),
        "definition": bank_forms.definition_from_form(qtype, form),
        "default_mark": one(form, "default_mark", "1") or "1",
        "general_feedback": one(form, "general_feedback"),
        "tags": [t for t in one(form, "tags").split(",") if t.strip()],
        "category_id": int(category) if category.isdigit() and len(category) < 10 else None,
    }  # fmt: skip


@router.get("/courses/{code}/questions/new")
def new_question(
    request: Request,
    session: SessionDep,
    actor: PortalActor,
    _user: CurrentUser,
    code: str,
    qtype: Annotated[str, Query(max_length=24)] = "multichoice",
    category: Annotated[Id | None, Query()] = None,
) -> Response:
    found = bank_by_code(session, actor, code, write=True)
    values = {"default_mark": "1", "shuffle": "1", "category_id": str(category or "")}
    return _editor(request, session, actor, found.course, _qtype(qtype), values)


@router.post("/courses/{code}/questions/new")
def create_question(
    request: Request, session: SessionDep, actor: PortalActor, _user: CurrentUser, code: str,
    form: Posted,
) -> Response:  # fmt: skip
    found = bank_by_code(session, actor, code, write=True)
    qtype = _qtype(bank_forms.one(form, "qtype"))
    with attempt_form(request, session) as attempt:
        data = QuestionCreate.model_validate({**_written(form, qtype), "qtype": qtype})
        created = bank.create_question(session, actor, found.course.id, data)
    if attempt.refused:
        values = bank_forms.form_values(form)
        return _editor(request, session, actor, found.course, qtype, values, attempt.errors)
    return see_other(f"/questions/{created.question.id}/preview")


def _saved_values(entry: Entry) -> dict[str, str]:
    version = entry.version
    return {
        "name": version.name, "text": version.text_markdown,
        "default_mark": format(version.default_mark.normalize(), "f"),
        "general_feedback": version.general_feedback_markdown,
        "tags": ", ".join(t.tag for t in entry.question.tags),
        "category_id": str(entry.question.category_id),
        **bank_forms.form_from_definition(version.qtype, version.definition),
    }  # fmt: skip


@router.get("/questions/{question_id}/edit")
def edit_question(
    request: Request, session: SessionDep, actor: PortalActor, _user: CurrentUser, question_id: Id
) -> Response:
    entry, course = bank.editable_question(session, actor, question_id)
    return _editor(
        request, session, actor, course, entry.version.qtype, _saved_values(entry), entry=entry
    )


@router.post("/questions/{question_id}/edit")
def save_question(
    request: Request, session: SessionDep, actor: PortalActor, _user: CurrentUser, question_id: Id,
    form: Posted,
) -> Response:  # fmt: skip
    entry, course = bank.editable_question(session, actor, question_id)
    qtype = entry.version.qtype
    with attempt_form(request, session) as attempt:
        data = QuestionUpdate.model_validate(_written(form, qtype))
        bank.update_question(session, actor, question_id, data)
    if attempt.refused:
        values = bank_forms.form_values(form)
        return _editor(request, session, actor, course, qtype, values, attempt.errors, entry)
    return see_other(f"/questions/{question_id}/preview")


@router.get("/questions/{question_id}/preview")
def preview_question(
    request: Request,
    session: SessionDep,
    actor: PortalActor,
    _user: CurrentUser,
    question_id: Id,
    seed: Annotated[int | None, Query(ge=0, le=2**31 - 1)] = None,
) -> Response:
    answers: dict[str, list[str]] = {}
    for name, value in request.query_params.multi_items():
        if name.startswith("p-"):
            answers.setdefault(name, []).append(value[:2000])
    shown = bank.preview_question(session, actor, question_id, answers, seed)
    course = session.get(Course, shown.entry.question.course_id)
    review = {"graded": shown.graded, "right_answer": shown.right_answer}
    context = {"shown": shown, "course": course, "review": review, "seed": seed}
    return render(request, "quizzes/bank_preview.html", context)


@router.post("/questions/{question_id}/retire")
def retire_question(
    session: SessionDep, actor: PortalActor, _user: CurrentUser, question_id: Id
) -> Response:
    question = bank.retire_question(session, actor, question_id)
    course = session.get(Course, question.course_id)
    return see_other(f"/courses/{course.code if course else ''}/questions")


@router.post("/questions/{question_id}/tags")
def add_tag(
    request: Request, session: SessionDep, actor: PortalActor, _user: CurrentUser, question_id: Id,
    tag: Text = "",
) -> Response:  # fmt: skip
    with attempt_form(request, session) as attempt:
        bank.add_tag(session, actor, question_id, tag)
    if attempt.refused:
        return _refused_edit(request, session, actor, question_id, attempt.errors)
    return see_other(f"/questions/{question_id}/edit")


@router.post("/questions/{question_id}/tags/remove")
def remove_tag(
    session: SessionDep, actor: PortalActor, _user: CurrentUser, question_id: Id, tag: Text = ""
) -> Response:
    bank.remove_tag(session, actor, question_id, tag)
    return see_other(f"/questions/{question_id}/edit")


@router.post("/questions/{question_id}/move")
def move_question(
    request: Request, session: SessionDep, actor: PortalActor, _user: CurrentUser, question_id: Id,
    category_id: Annotated[Id, Form()],
) -> Response:  # fmt: skip
    with attempt_form(request, session) as attempt:
        bank.move_question(session, actor, question_id, category_id)
    if attempt.refused:
        return _refused_edit(request, session, actor, question_id, attempt.errors)
    return see_other(f"/questions/{question_id}/edit")


def _refused_edit(
    request: Request, session: Session, actor: Actor, question_id: int, errors: dict[str, str]
) -> Response:
    entry, course = bank.editable_question(session, actor, question_id)
    values = _saved_values(entry)
    return _editor(request, session, actor, course, entry.version.qtype, values, errors, entry)
