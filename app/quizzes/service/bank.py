"""Questions of a course's bank: each save a new version (an attempt keeps the version it was
given), tags, moving between categories, retiring, searching and previewing."""

from dataclasses import dataclass
from decimal import Decimal
from random import Random
from typing import Any

from sqlalchemy import Select, and_, func, select
from sqlalchemy.orm import Session, selectinload

from app.core.actors import Actor
from app.core.errors import Invalid
from app.core.i18n import N_
from app.core.markdown import render_markdown
from app.courses.models import Course
from app.quizzes import questions as _registered  # noqa: F401  (registers every type)
from app.quizzes.bank_schemas import QuestionCreate, QuestionUpdate, QuestionWrite
from app.quizzes.models import (
    Question,
    QuestionCategory,
    QuestionTag,
    QuestionType,
    QuestionVersion,
)
from app.quizzes.questions import cloze
from app.quizzes.questions.types import FormValues, Graded, for_type
from app.quizzes.service.bank_access import (
    Bank,
    current_version,
    open_bank,
    question_in_bank,
)
from app.quizzes.service.categories import default_category, subtree_ids

PAGE_SIZE = 50


@dataclass(frozen=True)
class Entry:
    """A question with its current version."""

    question: Question
    version: QuestionVersion


@dataclass(frozen=True)
class QuestionPage:
    entries: list[Entry]
    total: int
    page: int
    pages: int


@dataclass(frozen=True)
class QuestionFilter:
    category_id: int | None = None
    subcategories: bool = True
    tag: str | None = None
    search: str | None = None
    retired: bool = False
    page: int = 1


def _clean_tags(tags: list[str]) -> list[str]:
    return list(dict.fromkeys(tag.strip() for tag in tags if tag.strip()))


def new_version(
    question: Question, qtype: QuestionType, data: QuestionWrite, actor: Actor, language: str | None
) -> QuestionVersion:
    """A version from what was written, its definition checked by the type."""
    definition = dict(data.definition)
    if qtype is QuestionType.CLOZE:
        definition = {"text": data.text}
    cleaned = _validate(qtype, definition)
    text_html = (
        cloze.blanked_html(cleaned)
        if qtype is QuestionType.CLOZE
        else render_markdown(data.text, language)
    )
    return QuestionVersion(
        question_id=question.id, version=question.latest_version, qtype=qtype, name=data.name,
        text_markdown=data.text, text_html=text_html, definition=cleaned,
        default_mark=data.default_mark, general_feedback_markdown=data.general_feedback,
        general_feedback_html=render_markdown(data.general_feedback, language)
        if data.general_feedback else "",
        created_by_id=actor.user_id,
    )  # fmt: skip


def check_definition(qtype: QuestionType, definition: dict[str, Any], text: str) -> None:
    """Invalid unless the type accepts the definition (for cloze, the text with its gaps)."""
    _validate(qtype, {"text": text} if qtype is QuestionType.CLOZE else definition)


def _validate(qtype: QuestionType, definition: dict[str, Any]) -> dict[str, Any]:
    """The type's check, its field named under `definition.` for the caller."""
    try:
        return for_type(qtype).validate(definition)
    except Invalid as refused:
        where = "text" if qtype is QuestionType.CLOZE else f"definition.{refused.field or ''}"
        raise type(refused)(refused.detail, field=where.rstrip(".")) from None


def _category_for(session: Session, bank: Bank, category_id: int | None) -> QuestionCategory:
    if category_id is None:
        return default_category(session, bank.course.id)
    category = session.get(QuestionCategory, category_id)
    if category is None or category.course_id != bank.course.id:
        raise Invalid(N_("No such category in this course."), field="category_id")
    return category


def create_question(session: Session, actor: Actor, course_id: int, data: QuestionCreate) -> Entry:
    """A question of the course's bank, version 1."""
    bank = open_bank(session, actor, course_id, write=True)
    category = _category_for(session, bank, data.category_id)
    question = Question(course_id=course_id, category_id=category.id, latest_version=1)
    question.tags = [QuestionTag(tag=tag) for tag in _clean_tags(data.tags)]
    session.add(question)
    session.flush()
    version = new_version(question, data.qtype, data, actor, bank.course.language)
    session.add(version)
    session.flush()
    return Entry(question, version)


def update_question(
    session: Session, actor: Actor, question_id: int, data: QuestionUpdate
) -> Entry:
    """A new version; the earlier ones stay as they were for the attempts that used them."""
    question, bank = question_in_bank(session, actor, question_id, write=True)
    previous = current_version(session, question)
    if data.category_id is not None:
        question.category_id = _category_for(session, bank, data.category_id).id
    question.latest_version += 1
    version = new_version(question, previous.qtype, data, actor, bank.course.language)
    set_tags(question, data.tags)
    session.add(version)
    session.flush()
    return Entry(question, version)


def set_tags(question: Question, tags: list[str]) -> None:
    wanted = _clean_tags(tags)
    kept = [t for t in question.tags if t.tag in wanted]
    have = {t.tag for t in kept}
    question.tags = kept + [QuestionTag(tag=tag) for tag in wanted if tag not in have]


def add_tag(session: Session, actor: Actor, question_id: int, tag: str) -> Question:
    question, _ = question_in_bank(session, actor, question_id, write=True)
    cleaned = tag.strip()
    if not cleaned or len(cleaned) > 64 or "," in cleaned:
        raise Invalid(N_("A tag is one to 64 characters, without commas."), field="tag")
    if len(question.tags) >= 20:
        raise Invalid(N_("A question has at most 20 tags."), field="tag")
    set_tags(question, [*(t.tag for t in question.tags), cleaned])
    session.flush()
    return question


def remove_tag(session: Session, actor: Actor, question_id: int, tag: str) -> Question:
    question, _ = question_in_bank(session, actor, question_id, write=True)
    set_tags(question, [t.tag for t in question.tags if t.tag != tag])
    session.flush()
    return question


def move_question(session: Session, actor: Actor, question_id: int, category_id: int) -> Question:
    """Into another category of the same course; its versions are unchanged."""
    question, bank = question_in_bank(session, actor, question_id, write=True)
    question.category_id = _category_for(session, bank, category_id).id
    session.flush()
    return question


def retire_question(session: Session, actor: Actor, question_id: int) -> Question:
    """Retired questions are drawn into no new attempt; finished attempts keep theirs."""
    question, _ = question_in_bank(session, actor, question_id, write=True)
    question.retired = True
    session.flush()
    return question


def get_question(session: Session, actor: Actor, question_id: int) -> Entry:
    question, _ = question_in_bank(session, actor, question_id)
    return Entry(question, current_version(session, question))


def editable_question(session: Session, actor: Actor, question_id: int) -> tuple[Entry, Course]:
    """A question with its course, for those who may edit the bank."""
    question, found = question_in_bank(session, actor, question_id, write=True)
    return Entry(question, current_version(session, question)), found.course


def list_versions(session: Session, actor: Actor, question_id: int) -> list[QuestionVersion]:
    """Every version of the question, the newest first."""
    question, _ = question_in_bank(session, actor, question_id)
    return list(
        session.scalars(
            select(QuestionVersion)
            .where(QuestionVersion.question_id == question.id)
            .order_by(QuestionVersion.version.desc())
        )
    )


def _filtered(
    session: Session, course_id: int, wanted: QuestionFilter
) -> Select[Question, QuestionVersion]:
    stmt = (
        select(Question, QuestionVersion)
        .join(
            QuestionVersion,
            and_(
                QuestionVersion.question_id == Question.id,
                QuestionVersion.version == Question.latest_version,
            ),
        )
        .where(Question.course_id == course_id)
    )
    if not wanted.retired:
        stmt = stmt.where(Question.retired.is_(False))
    if wanted.category_id is not None:
        category = session.get(QuestionCategory, wanted.category_id)
        if category is None or category.course_id != course_id:
            raise Invalid(N_("No such category in this course."), field="category")
        ids = subtree_ids(session, category) if wanted.subcategories else {category.id}
        stmt = stmt.where(Question.category_id.in_(ids))
    if wanted.tag:
        tagged = select(QuestionTag.question_id).where(QuestionTag.tag == wanted.tag)
        stmt = stmt.where(Question.id.in_(tagged))
    if wanted.search:
        pattern = (
            "%" + wanted.search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        )
        stmt = stmt.where(func.lower(QuestionVersion.name).like(pattern.lower(), escape="\\"))
    return stmt


def list_questions(
    session: Session, actor: Actor, course_id: int, wanted: QuestionFilter
) -> QuestionPage:
    """A page of the bank's questions (50), by name, with their tags; a constant number of
    queries whatever the bank's size."""
    open_bank(session, actor, course_id)
    stmt = _filtered(session, course_id, wanted)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(wanted.page, 1), pages)
    rows = session.execute(
        stmt.options(selectinload(Question.tags))
        .order_by(func.lower(QuestionVersion.name), Question.id)
        .limit(PAGE_SIZE)
        .offset((page - 1) * PAGE_SIZE)
    ).all()
    return QuestionPage([Entry(q, v) for q, v in rows], total, page, pages)


@dataclass(frozen=True)
class Preview:
    """The question as a learner sees it, and, for the teacher, what a response would earn."""

    entry: Entry
    prompt: dict[str, Any]
    response: dict[str, Any]
    graded: Graded | None
    right_answer: str
    mark: Decimal | None


def preview_question(
    session: Session, actor: Actor, question_id: int, form: FormValues, seed: int | None = None
) -> Preview:
    """Shown to those who may edit the bank only: the right answer is part of it."""
    entry = get_question(session, actor, question_id)
    open_bank(session, actor, entry.question.course_id, write=True)
    kind = for_type(entry.version.qtype)
    prompt = kind.prompt(entry.version, Random(seed) if seed is not None else None)
    response = kind.read_response("p-", form)
    graded = kind.grade(entry.version, response) if response else None
    mark = None
    if graded is not None and graded.fraction is not None:
        mark = (graded.fraction * entry.version.default_mark).quantize(Decimal("0.01"))
    return Preview(entry, prompt, response, graded, kind.right_answer(entry.version), mark)
