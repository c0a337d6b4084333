"""The question bank over the API, for a course's teachers and managers: categories,
questions with their versions, import and export in Moodle XML and GIFT."""

from typing import Annotated, Literal

from fastapi import APIRouter, File, Form, Query, Response, UploadFile, status
from sqlalchemy.orm import Session

from app.accounts.deps import SignedInApiActor
from app.core.actors import Actor
from app.core.db import SessionDep
from app.core.inputs import Id
from app.core.routes import DeferredRoute
from app.quizzes.bank_schemas import (
    CategoryCreate,
    CategoryRead,
    CategoryUpdate,
    ImportedQuestion,
    ImportRead,
    QuestionCreate,
    QuestionList,
    QuestionRead,
    QuestionUpdate,
    QuestionVersionRead,
)
from app.quizzes.service import bank, categories, transfer
from app.quizzes.service.bank import Entry, QuestionFilter
from app.quizzes.service.categories import CategoryNode

router = APIRouter(tags=["question bank"], route_class=DeferredRoute)


def category_read(node: CategoryNode) -> CategoryRead:
    c = node.category
    return CategoryRead(
        id=c.id, course_id=c.course_id, parent_id=c.parent_id, name=c.name,
        description=c.description, position=c.position, depth=node.depth,
        question_count=node.question_count,
    )  # fmt: skip


def question_read(entry: Entry) -> QuestionRead:
    q = entry.question
    return QuestionRead(
        id=q.id, course_id=q.course_id, category_id=q.category_id,
        latest_version=q.latest_version, retired=q.retired, created_at=q.created_at,
        tags=[t.tag for t in q.tags], current=QuestionVersionRead.model_validate(entry.version),
    )  # fmt: skip


def _node(session: Session, actor: Actor, course_id: int, category_id: int) -> CategoryRead:
    nodes = categories.list_categories(session, actor, course_id)
    return category_read(next(n for n in nodes if n.category.id == category_id))


@router.get("/courses/{course_id}/question-categories", response_model=list[CategoryRead])
def list_categories(
    course_id: Id, session: SessionDep, actor: SignedInApiActor
) -> list[CategoryRead]:
    """The bank's categories, each followed by its subcategories (`depth` from 0), with the
    number of questions in use in each (teachers of the course, managers)."""
    return [category_read(n) for n in categories.list_categories(session, actor, course_id)]


@router.post(
    "/courses/{course_id}/question-categories", response_model=CategoryRead, status_code=201
)
def create_category(
    course_id: Id, body: CategoryCreate, session: SessionDep, actor: SignedInApiActor
) -> CategoryRead:
    """A category at the top of the bank or under `parent_id`; names are unique among
    siblings (409 `category_name_taken`)."""
    category = categories.create_category(session, actor, course_id, body)
    return _node(session, actor, course_id, category.id)


@router.patch("/question-categories/{category_id}", response_model=CategoryRead)
def update_category(
    category_id: Id, body: CategoryUpdate, session: SessionDep, actor: SignedInApiActor
) -> CategoryRead:
    """Rename, describe or move a category (`parent_id: null`: to the top). It cannot move
    under itself or one of its subcategories (422)."""
    category = categories.update_category(session, actor, category_id, body)
    return _node(session, actor, category.course_id, category.id)


@router.delete("/question-categories/{category_id}", status_code=204)
def delete_category(category_id: Id, session: SessionDep, actor: SignedInApiActor) -> Response:
    """Delete an empty category; one holding questions (retired ones too) or subcategories
    is refused with 409 `category_not_empty`."""
    categories.delete_category(session, actor, category_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/courses/{course_id}/questions", response_model=QuestionList)
def list_questions(
    course_id: Id,
    session: SessionDep,
    actor: SignedInApiActor,
    category_id: Annotated[Id | None, Query(description="with its subcategories")] = None,
    tag: Annotated[str | None, Query(max_length=64)] = None,
    search: Annotated[str | None, Query(max_length=200, description="in the names")] = None,
    retired: Annotated[bool, Query(description="include retired questions")] = False,
    page: Annotated[int, Query(ge=1, le=100000)] = 1,
) -> QuestionList:
    """The bank's questions by name, 50 a page, each with its current version."""
    wanted = QuestionFilter(
        category_id=category_id, tag=tag, search=search, retired=retired, page=page
    )
    found = bank.list_questions(session, actor, course_id, wanted)
    return QuestionList(
        items=[question_read(e) for e in found.entries], total=found.total, page=found.page,
        pages=found.pages,
    )  # fmt: skip


@router.post("/courses/{course_id}/questions", response_model=QuestionRead, status_code=201)
def create_question(
    course_id: Id, body: QuestionCreate, session: SessionDep, actor: SignedInApiActor
) -> QuestionRead:
    """A question, version 1. `definition` is checked by `qtype` (422 naming the field, e.g.
    `definition.choices.1.fraction`); for cloze the gaps are written in `text`."""
    return question_read(bank.create_question(session, actor, course_id, body))


@router.get("/questions/{question_id}", response_model=QuestionRead)
def read_question(question_id: Id, session: SessionDep, actor: SignedInApiActor) -> QuestionRead:
    """A question of a bank with its current version, answers included (bank editors only)."""
    return question_read(bank.get_question(session, actor, question_id))


@router.put("/questions/{question_id}", response_model=QuestionRead)
def update_question(
    question_id: Id, body: QuestionUpdate, session: SessionDep, actor: SignedInApiActor
) -> QuestionRead:
    """Save the question as a new version (its type is kept); attempts that used an earlier
    version keep it. Tags are replaced by those sent."""
    return question_read(bank.update_question(session, actor, question_id, body))


@router.delete("/questions/{question_id}", response_model=QuestionRead)
def retire_question(question_id: Id, session: SessionDep, actor: SignedInApiActor) -> QuestionRead:
    """Retire the question: it is drawn into no new attempt, and attempts that used it keep
    it, so it is never removed."""
    bank.retire_question(session, actor, question_id)
    return question_read(bank.get_question(session, actor, question_id))


@router.get("/questions/{question_id}/versions", response_model=list[QuestionVersionRead])
def list_versions(
    question_id: Id, session: SessionDep, actor: SignedInApiActor
) -> list[QuestionVersionRead]:
    """Every version of the question, the newest first."""
    return [
        QuestionVersionRead.model_validate(v)
        for v in bank.list_versions(session, actor, question_id)
    ]


def _read(upload: UploadFile) -> bytes:
    data: bytes = upload.file.read(transfer.MAX_IMPORT_BYTES + 1)
    return data


@router.post("/courses/{course_id}/questions/import", response_model=ImportRead)
def import_questions(
    course_id: Id,
    session: SessionDep,
    actor: SignedInApiActor,
    file: Annotated[UploadFile, File(description="Moodle XML or GIFT (UTF-8), 1 MB at most")],
    format: Annotated[Literal["xml", "gift", "auto"], Form()] = "auto",
    dry_run: Annotated[bool, Form(description="check and list, write nothing")] = False,
) -> ImportRead:
    """Import questions into the course's bank. The whole file is checked first: one question
    its type refuses (or a malformed file, or XML with entities) refuses the import with 422
    `import_refused` naming the line (GIFT) or the question (XML), and nothing is written.
    Categories named in the file are made under the bank's top; other Moodle types are
    skipped and listed."""
    data = _read(file)
    fmt = transfer.guess_format(file.filename or "", data) if format == "auto" else format
    outcome = transfer.import_questions(session, actor, course_id, data, fmt, apply=not dry_run)
    return ImportRead(
        created=len(outcome.drafts) if outcome.applied else 0,
        categories_created=outcome.categories_created,
        questions=[
            ImportedQuestion(category=d.category, qtype=d.qtype, name=d.name)
            for d in outcome.drafts
        ],
        skipped=outcome.skipped, dry_run=dry_run,
    )  # fmt: skip


@router.get(
    "/courses/{course_id}/questions/export",
    response_class=Response,
    responses={
        200: {
            "description": "The file, as an attachment.",
            "content": {"application/xml": {}, "text/plain": {}},
        }
    },
)
def export_questions(
    course_id: Id,
    session: SessionDep,
    actor: SignedInApiActor,
    format: Annotated[Literal["xml", "gift"], Query()] = "xml",
    category_id: Annotated[Id | None, Query(description="with its subcategories")] = None,
) -> Response:
    """The bank's questions in use as a Moodle XML or GIFT attachment (GIFT leaves cloze
    questions out, naming them in a comment, and has no units)."""
    name, media_type, text = transfer.export_questions(
        session, actor, course_id, format, category_id
    )
    return attachment(name, media_type, text)


def attachment(name: str, media_type: str, text: str) -> Response:
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    return Response(text.encode(), media_type=media_type, headers=headers)
