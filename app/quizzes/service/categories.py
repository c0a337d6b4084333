"""A course's question categories: nested, renamed, moved (never under themselves), deleted
only when they hold neither questions nor subcategories."""

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.core.actors import Actor
from app.core.errors import Conflict, Invalid
from app.core.i18n import N_
from app.quizzes.bank_schemas import CategoryCreate, CategoryUpdate
from app.quizzes.models import Question, QuestionCategory
from app.quizzes.service.bank_access import Bank, bank_by_code, category_in_bank, open_bank

DEFAULT_NAME = "Default"


class CategoryNotEmpty(Conflict):
    code = "category_not_empty"
    title = N_("Only an empty category can be deleted: move its questions and subcategories first.")


class CategoryNameTaken(Conflict):
    code = "category_name_taken"
    title = N_("A category of this name is already there.")


@dataclass(frozen=True)
class CategoryNode:
    category: QuestionCategory
    depth: int
    question_count: int


def category_tree(session: Session, course_id: int) -> list[CategoryNode]:
    """Every category of the course, each followed by its subcategories (two queries)."""
    categories = session.scalars(
        select(QuestionCategory)
        .where(QuestionCategory.course_id == course_id)
        .order_by(QuestionCategory.position, QuestionCategory.name, QuestionCategory.id)
    ).all()
    counts = dict(
        session.execute(
            select(Question.category_id, func.count())
            .where(Question.course_id == course_id, Question.retired.is_(False))
            .group_by(Question.category_id)
        ).all()
    )
    children: dict[int | None, list[QuestionCategory]] = defaultdict(list)
    for category in categories:
        children[category.parent_id].append(category)
    ordered: list[CategoryNode] = []

    def walk(parent_id: int | None, depth: int) -> None:
        for category in children.get(parent_id, []):
            ordered.append(CategoryNode(category, depth, counts.get(category.id, 0)))
            walk(category.id, depth + 1)

    walk(None, 0)
    return ordered


def list_categories(session: Session, actor: Actor, course_id: int) -> list[CategoryNode]:
    open_bank(session, actor, course_id)
    return category_tree(session, course_id)


def subtree_ids(session: Session, category: QuestionCategory) -> set[int]:
    """The category and every category under it."""
    tree = category_tree(session, category.course_id)
    found, parents = {category.id}, {node.category.id: node.category.parent_id for node in tree}
    changed = True
    while changed:
        changed = False
        for child, parent in parents.items():
            if parent in found and child not in found:
                found.add(child)
                changed = True
    return found


def _check_parent(session: Session, course_id: int, parent_id: int | None) -> None:
    if parent_id is None:
        return
    parent = session.get(QuestionCategory, parent_id)
    if parent is None or parent.course_id != course_id:
        raise Invalid(N_("No such category in this course."), field="parent_id")


def _check_name_free(
    session: Session, course_id: int, parent_id: int | None, name: str, own_id: int | None = None
) -> None:
    taken = session.scalar(
        select(QuestionCategory.id).where(
            QuestionCategory.course_id == course_id,
            QuestionCategory.parent_id.is_(None)
            if parent_id is None
            else QuestionCategory.parent_id == parent_id,
            QuestionCategory.name == name,
        )
    )
    if taken is not None and taken != own_id:
        raise CategoryNameTaken(field="name")


def create_category(
    session: Session, actor: Actor, course_id: int, data: CategoryCreate
) -> QuestionCategory:
    """A category at the top of the bank or under another of the same course."""
    open_bank(session, actor, course_id, write=True)
    _check_parent(session, course_id, data.parent_id)
    _check_name_free(session, course_id, data.parent_id, data.name)
    category = QuestionCategory(
        course_id=course_id, parent_id=data.parent_id, name=data.name, description=data.description
    )
    session.add(category)
    session.flush()
    return category


def update_category(
    session: Session, actor: Actor, category_id: int, data: CategoryUpdate
) -> QuestionCategory:
    """Rename, describe or move; a category never moves under itself or its subcategories."""
    category, _ = category_in_bank(session, actor, category_id, write=True)
    changes = data.model_dump(exclude_unset=True)
    parent_id = changes.get("parent_id", category.parent_id)
    if "parent_id" in changes:
        _check_parent(session, category.course_id, parent_id)
        if parent_id is not None and parent_id in subtree_ids(session, category):
            raise Invalid(N_("A category cannot move under itself."), field="parent_id")
    name = changes.get("name", category.name)
    _check_name_free(session, category.course_id, parent_id, name, category.id)
    for key, value in changes.items():
        setattr(category, key, value)
    session.flush()
    return category


def delete_category(session: Session, actor: Actor, category_id: int) -> None:
    category, _ = category_in_bank(session, actor, category_id, write=True)
    has_child = session.scalar(
        select(QuestionCategory.id).where(QuestionCategory.parent_id == category.id).limit(1)
    )
    has_question = session.scalar(
        select(Question.id).where(Question.category_id == category.id).limit(1)
    )
    if has_child is not None or has_question is not None:
        raise CategoryNotEmpty()
    session.delete(category)
    session.flush()


def default_category(session: Session, course_id: int) -> QuestionCategory:
    """The course's first top category, made (named "Default") when the bank has none."""
    found = session.scalar(
        select(QuestionCategory)
        .where(QuestionCategory.course_id == course_id, QuestionCategory.parent_id.is_(None))
        .order_by(QuestionCategory.position, QuestionCategory.id)
        .limit(1)
    )
    if found is not None:
        return found
    category = QuestionCategory(course_id=course_id, name=DEFAULT_NAME)
    session.add(category)
    session.flush()
    return category


def category_path(session: Session, course_id: int) -> dict[int, str]:
    """Each category's path from the top, `Top/Sub/Leaf`, as import and export write it."""
    paths: dict[int, str] = {}
    for node in category_tree(session, course_id):
        parent = node.category.parent_id
        prefix = paths[parent] + "/" if parent is not None and parent in paths else ""
        paths[node.category.id] = prefix + node.category.name.replace("/", "//")
    return paths


def categories_page(
    session: Session, actor: Actor, code: str, *, write: bool = False
) -> tuple[Bank, list[CategoryNode]]:
    """The course's bank (by course code) and its category tree."""
    found = bank_by_code(session, actor, code, write=write)
    return found, category_tree(session, found.course.id)


def course_code_of(session: Session, actor: Actor, category_id: int) -> str:
    """The code of the course a category belongs to, for those who may edit its bank."""
    _, found = category_in_bank(session, actor, category_id, write=True)
    return found.course.code
