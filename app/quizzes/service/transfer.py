"""Importing questions from Moodle XML or GIFT into a course's bank, and exporting them: an
import is checked whole before anything is written (a file with one bad question writes
nothing, and says where), categories are made from the file's paths."""

from dataclasses import dataclass, field
from typing import Literal

from pydantic import ValidationError
from sqlalchemy import and_, select
from sqlalchemy.orm import Session, selectinload

from app.core.actors import Actor
from app.core.errors import Invalid
from app.core.i18n import N_
from app.quizzes.bank_schemas import QuestionCreate
from app.quizzes.models import Question, QuestionCategory, QuestionVersion
from app.quizzes.questions import gift, moodle_xml
from app.quizzes.questions.drafts import Draft, FileRefused, join_path, split_path
from app.quizzes.service import bank
from app.quizzes.service.bank_access import open_bank
from app.quizzes.service.categories import category_path, default_category, subtree_ids

Format = Literal["xml", "gift"]
MAX_IMPORT_BYTES = 1024 * 1024
MAX_QUESTIONS = 500


class ImportRefused(Invalid):
    code = "import_refused"
    title = N_("The file cannot be imported.")


@dataclass
class ImportOutcome:
    drafts: list[Draft]
    skipped: list[str]
    categories_created: list[str] = field(default_factory=list)
    applied: bool = False


def guess_format(name: str, data: bytes) -> Format:
    if name.lower().endswith(".xml") or data.lstrip()[:1] == b"<":
        return "xml"
    return "gift"


def _where(line: int | None, position: int | None) -> str:
    if line is not None:
        return f"Line {line}: "
    return f"Question {position}: " if position is not None else ""


def _refused(message: str, line: int | None, position: int | None) -> ImportRefused:
    return ImportRefused(_where(line, position) + message, field="file")


def read_file(data: bytes, fmt: Format) -> tuple[list[Draft], list[str]]:
    """The file's questions, each checked by its type; ImportRefused says where it is wrong."""
    if len(data) > MAX_IMPORT_BYTES:
        raise ImportRefused(N_("The file is larger than 1 MB."), field="file")
    try:
        drafts, skipped = moodle_xml.parse(data) if fmt == "xml" else gift.parse(data)
    except FileRefused as refused:
        raise _refused(refused.message % refused.values, refused.line, refused.position) from None
    if not drafts:
        raise ImportRefused(N_("The file holds no question the bank can import."), field="file")
    if len(drafts) > MAX_QUESTIONS:
        raise ImportRefused(N_("At most 500 questions at a time."), field="file")
    for draft in drafts:
        _check(draft)
    return drafts, skipped


def _create_data(draft: Draft, category_id: int | None) -> QuestionCreate:
    return QuestionCreate(
        qtype=draft.qtype, name=draft.name[:300], text=draft.text or draft.name,
        definition=draft.definition, default_mark=draft.default_mark,
        general_feedback=draft.general_feedback, tags=draft.tags[:20], category_id=category_id,
    )  # fmt: skip


def _check(draft: Draft) -> None:
    try:
        data = _create_data(draft, None)
        bank.check_definition(data.qtype, data.definition, data.text)
    except ValidationError as broken:
        error = broken.errors()[0]
        where = ".".join(str(part) for part in error["loc"])
        raise _refused(f"{where}: {error['msg']}", draft.line, draft.position) from None
    except Invalid as refused:
        raise _refused(f"{refused.field}: {refused.detail}", draft.line, draft.position) from None


def _category_id(
    session: Session, course_id: int, path: str, made: dict[str, int], created: list[str]
) -> int:
    names = split_path(path)
    if not names:
        return default_category(session, course_id).id
    parent_id: int | None = None
    for depth in range(len(names)):
        key = join_path(names[: depth + 1])
        if key not in made:
            category = QuestionCategory(
                course_id=course_id, parent_id=parent_id, name=names[depth][:200]
            )
            session.add(category)
            session.flush()
            made[key] = category.id
            created.append(key)
        parent_id = made[key]
    assert parent_id is not None
    return parent_id


def import_questions(
    session: Session, actor: Actor, course_id: int, data: bytes, fmt: Format, *, apply: bool
) -> ImportOutcome:
    """What the file holds; with `apply`, the questions saved (version 1 each) in the
    categories its paths name, made when missing."""
    open_bank(session, actor, course_id, write=True)
    drafts, skipped = read_file(data, fmt)
    outcome = ImportOutcome(drafts, skipped)
    if not apply:
        return outcome
    made = {path: category_id for category_id, path in category_path(session, course_id).items()}
    for draft in drafts:
        category_id = _category_id(
            session, course_id, draft.category, made, outcome.categories_created
        )
        bank.create_question(session, actor, course_id, _create_data(draft, category_id))
    outcome.applied = True
    return outcome


def export_questions(
    session: Session, actor: Actor, course_id: int, fmt: Format, category_id: int | None = None
) -> tuple[str, str, str]:
    """The bank's questions in use (of a category and its subcategories, when given) as a file:
    its name, media type and text."""
    found = open_bank(session, actor, course_id)
    paths = category_path(session, course_id)
    stmt = (
        select(Question, QuestionVersion)
        .join(QuestionVersion, and_(QuestionVersion.question_id == Question.id,
                                    QuestionVersion.version == Question.latest_version))
        .where(Question.course_id == course_id, Question.retired.is_(False))
        .options(selectinload(Question.tags))
    )  # fmt: skip
    if category_id is not None:
        category = session.get(QuestionCategory, category_id)
        if category is None or category.course_id != course_id:
            raise Invalid(N_("No such category in this course."), field="category")
        stmt = stmt.where(Question.category_id.in_(subtree_ids(session, category)))
    drafts = [
        Draft(
            qtype=v.qtype,
            name=v.name,
            text=v.text_markdown,
            definition=dict(v.definition),
            category=paths.get(q.category_id, ""),
            default_mark=v.default_mark,
            general_feedback=v.general_feedback_markdown,
            tags=[t.tag for t in q.tags],
        )
        for q, v in session.execute(stmt).all()
    ]
    drafts.sort(key=lambda d: (d.category, d.name.lower()))
    code = found.course.code
    if fmt == "xml":
        return f"{code}-questions.xml", "application/xml", moodle_xml.write(drafts)
    return f"{code}-questions.gift.txt", "text/plain; charset=utf-8", gift.write(drafts)
