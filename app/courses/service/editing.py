"""Editing what exists: a module or section as its edit form shows it, what deleting one
loses, replacing and removing files, duplicating a module. Creation, updates and deletion
themselves are `content`'s; these use them or sit beside them, and record each change in
the course's history."""

from dataclasses import dataclass
from typing import IO

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from app.accounts.models import ApiClient, User
from app.core.actors import Actor, require
from app.core.config import Settings
from app.core.errors import NotFound
from app.core.i18n import N_, translations_for
from app.core.pagination import MAX_PAGE_SIZE, decode_cursor, encode_cursor
from app.courses import policy
from app.courses.models import (
    Course,
    CourseEdit,
    Module,
    ModuleCompletion,
    ModuleFile,
    ModulePrerequisite,
    ModuleTranslation,
    Section,
    Status,
)
from app.courses.service.content import (
    _modules,
    _move,
    attach_file,
    drop_unused_contents,
    editable_module,
    editable_section,
)
from app.courses.service.courses import CourseAccess, get_course, touch
from app.courses.service.history import record_edit

COPY_TITLE = N_("%(title)s (copy)")


@dataclass(frozen=True)
class ModuleDraft:
    """A module as its edit form shows it: its prerequisites by key, its files, and the
    sections of the course it may be moved to."""

    module: Module
    course: Course
    section: Section
    requires: list[str]
    files: list[ModuleFile]
    sections: list[Section]


@dataclass(frozen=True)
class Loss:
    """What deleting a module or a section takes with it."""

    completions: int  # learners' completions recorded
    files: list[str]
    modules: list[str]  # a section's modules (titles)
    required_by: list[str]  # modules of the course that name one of these as a prerequisite


def module_draft(session: Session, actor: Actor, module_id: int) -> ModuleDraft:
    """A module its editor may change, with what its edit form needs."""
    module, course = editable_module(session, actor, module_id)
    requires = list(
        session.scalars(
            select(Module.key)
            .join(ModulePrerequisite, ModulePrerequisite.required_module_id == Module.id)
            .where(ModulePrerequisite.module_id == module.id)
            .order_by(Module.position, Module.id)
        )
    )
    sections = list(
        session.scalars(
            select(Section).where(Section.course_id == course.id).order_by(Section.position)
        )
    )
    section = next(s for s in sections if s.id == module.section_id)
    return ModuleDraft(module, course, section, requires, _files(session, module.id), sections)


def _files(session: Session, module_id: int) -> list[ModuleFile]:
    return list(
        session.scalars(
            select(ModuleFile)
            .where(ModuleFile.module_id == module_id)
            .options(selectinload(ModuleFile.content))
            .order_by(ModuleFile.position, ModuleFile.id)
        )
    )


def _loss(session: Session, module_ids: list[int]) -> Loss:
    completions = session.scalar(
        select(func.count(ModuleCompletion.id)).where(ModuleCompletion.module_id.in_(module_ids))
    )
    files = session.scalars(
        select(ModuleFile.name)
        .where(ModuleFile.module_id.in_(module_ids))
        .order_by(ModuleFile.module_id, ModuleFile.position)
    )
    required_by = session.scalars(
        select(Module.title)
        .join(ModulePrerequisite, ModulePrerequisite.module_id == Module.id)
        .where(
            ModulePrerequisite.required_module_id.in_(module_ids),
            Module.id.not_in(module_ids),
        )
        .distinct()
        .order_by(Module.title)
    )
    return Loss(completions or 0, list(files), [], list(required_by))


def module_loss(session: Session, actor: Actor, module_id: int) -> tuple[Module, Course, Loss]:
    """What deleting the module would lose: learners' completions, files, and the
    prerequisite it is of other modules."""
    module, course = editable_module(session, actor, module_id)
    return module, course, _loss(session, [module.id])


def section_loss(session: Session, actor: Actor, section_id: int) -> tuple[Section, Course, Loss]:
    """What deleting the section would lose: its modules, with their completions and files."""
    section, course = editable_section(session, actor, section_id)
    modules = _modules(session, section.id)
    loss = _loss(session, [m.id for m in modules])
    return (
        section,
        course,
        Loss(loss.completions, loss.files, [m.title for m in modules], loss.required_by),
    )


def replace_file(
    session: Session,
    actor: Actor,
    settings: Settings,
    module_id: int,
    name: str,
    stream: IO[bytes],
) -> ModuleFile:
    """New content for an attached file, which keeps its name (its content is checked against
    that name). The old content stays stored until `agora storage gc` finds it unused."""
    module, _course = editable_module(session, actor, module_id)
    existing = _attached(session, module.id, name)
    return attach_file(session, actor, settings, module.id, stream, existing.name)


def remove_file(session: Session, actor: Actor, module_id: int, name: str) -> None:
    """Detach a file from a module; the files after it move up. Its stored content is left
    for `agora storage gc` (another module may use the same content)."""
    module, course = editable_module(session, actor, module_id)
    attached = _attached(session, module.id, name)
    session.delete(attached)
    session.flush()
    drop_unused_contents(session, [attached.content_file_id])
    for position, remaining in enumerate(_files(session, module.id)):
        remaining.position = position
    touch(course)
    record_edit(session, actor, course, "file.removed", f"{module.title}: {attached.name}")


def _attached(session: Session, module_id: int, name: str) -> ModuleFile:
    attached = session.scalar(
        select(ModuleFile).where(ModuleFile.module_id == module_id, ModuleFile.name == name)
    )
    if attached is None:
        raise NotFound(N_("No such file."))
    return attached


def duplicate_module(session: Session, actor: Actor, module_id: int) -> Module:
    """A copy of a module right after it in its section: key suffixed to stay unique, title
    marked as a copy, files and prerequisites the same, kept as a draft until published."""
    original, course = editable_module(session, actor, module_id)
    copy = Module(
        course_id=course.id,
        section_id=original.section_id,
        key=_free_key(session, course.id, original.key),
        title=_copy_title(course, original.title),
        status=Status.DRAFT,
        position=original.position + 1,
        **{
            name: getattr(original, name)
            for name in (
                "kind",
                "body_markdown",
                "body_html",
                "url",
                "description",
                "external_ref",
                "completion_rule",
                "required",
                "available_from",
                "available_until",
                "is_open",
                "licence",
                "hidden",
            )
        },
    )
    session.add(copy)
    session.flush()
    session.add_all(
        ModuleFile(module_id=copy.id, content_file_id=f.content_file_id, name=f.name,
                   position=f.position)
        for f in _files(session, original.id)
    )  # fmt: skip
    session.add_all(
        ModulePrerequisite(module_id=copy.id, required_module_id=required)
        for required in session.scalars(
            select(ModulePrerequisite.required_module_id).where(
                ModulePrerequisite.module_id == original.id
            )
        )
    )
    session.add_all(
        ModuleTranslation(module_id=copy.id, language=t.language, title=t.title,
                          body_markdown=t.body_markdown, body_html=t.body_html,
                          description=t.description)
        for t in session.scalars(
            select(ModuleTranslation).where(ModuleTranslation.module_id == original.id)
        )
    )  # fmt: skip
    session.flush()
    _move(_modules(session, original.section_id), copy, _index_of(session, original) + 1)
    touch(course)
    record_edit(session, actor, course, "module.duplicated", copy.title)
    return copy


def _index_of(session: Session, module: Module) -> int:
    ids = [m.id for m in _modules(session, module.section_id)]
    return ids.index(module.id)


def _copy_title(course: Course, title: str) -> str:
    marked = translations_for(course.language).gettext(COPY_TITLE) % {"title": title}
    return marked[:300]


def _free_key(session: Session, course_id: int, key: str) -> str:
    """`key-copy`, else `key-copy-2`, `key-copy-3`…, within the 64 characters of a key."""
    taken = set(session.scalars(select(Module.key).where(Module.course_id == course_id)))
    for n in range(1, len(taken) + 2):
        suffix = "-copy" if n == 1 else f"-copy-{n}"
        candidate = key[: 64 - len(suffix)] + suffix
        if candidate not in taken:
            return candidate
    raise AssertionError("unreachable: more candidates than taken keys")


@dataclass(frozen=True)
class HistoryEntry:
    edit: CourseEdit
    by: str  # the person's name, or the partner system's; empty for the platform itself


HISTORY_PAGE = 50


def course_history(
    session: Session,
    actor: Actor,
    course_id: int,
    cursor: str | None = None,
    limit: int = HISTORY_PAGE,
) -> tuple[CourseAccess, list[HistoryEntry], str | None]:
    """The course's edits, newest first, a page at a time (`cursor` from the previous page),
    for its teachers and managers."""
    access = get_course(session, actor, course_id)
    require(policy.can_read_history(actor, access.roles))
    limit = max(1, min(limit, MAX_PAGE_SIZE))
    stmt = (
        select(CourseEdit, User.display_name, ApiClient.name)
        .outerjoin(User, User.id == CourseEdit.actor_user_id)
        .outerjoin(ApiClient, ApiClient.id == CourseEdit.actor_client_id)
        .where(CourseEdit.course_id == access.course.id)
        .order_by(CourseEdit.id.desc())
        .limit(limit + 1)
    )
    if cursor:
        stmt = stmt.where(CourseEdit.id < decode_cursor(cursor))
    rows = session.execute(stmt).all()
    entries = [HistoryEntry(edit, person or client or "") for edit, person, client in rows]
    if len(entries) <= limit:
        return access, entries, None
    entries = entries[:limit]
    return access, entries, encode_cursor(entries[-1].edit.id)
