"""Sections, modules and their files: what teachers build and students read."""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import IO, TypeVar
from urllib.parse import parse_qs, urlsplit

from sqlalchemy import ColumnElement, ForeignKey, delete, select
from sqlalchemy.orm import Session, joinedload

from app.core.actors import Actor
from app.core.config import Settings
from app.core.errors import Conflict, Forbidden, Invalid, NotFound
from app.core.i18n import N_
from app.core.markdown import render_markdown
from app.core.storage import safe_file_name, save_for_transaction, storage_for
from app.courses import policy
from app.courses.models import (
    ContentFile,
    Course,
    Module,
    ModuleFile,
    ModuleKind,
    ModulePrerequisite,
    Section,
    Status,
)
from app.courses.schemas import ModuleCreate, ModuleUpdate, SectionCreate, SectionUpdate
from app.courses.service.access import (
    LockReason,
    check_no_cycle,
    course_locks,
    module_locks,
    module_prerequisites,
)
from app.courses.service.courses import CourseAccess, editable_course, touch
from app.courses.service.history import record_edit, record_update, record_visibility
from app.membership.service import course_roles


class ModuleLocked(Forbidden):
    code = "module_locked"
    title = N_("This module is locked.")

    def __init__(self, reasons: list[LockReason]) -> None:
        super().__init__(" ".join(reason.describe() for reason in reasons))
        self.reasons = reasons


class ModuleKeyTaken(Conflict):
    code = "module_key_taken"
    title = N_("Another module of this course already has this key.")


class VideoHostRefused(Invalid):
    code = "video_host_refused"
    title = N_("Videos can be embedded only from the allowed hosts.")


@dataclass(frozen=True)
class ModuleAccess:
    module: Module
    course: CourseAccess
    locks: list[LockReason]
    completed: frozenset[int] = frozenset()  # the reader's completed modules in the course


def _next_position(positions: Sequence[int]) -> int:
    return max(positions, default=-1) + 1


def add_section(session: Session, actor: Actor, course_id: int, data: SectionCreate) -> Section:
    course = editable_course(session, actor, course_id)
    positions = session.scalars(select(Section.position).where(Section.course_id == course.id))
    section = Section(
        course_id=course.id,
        title=data.title,
        summary=data.summary,
        hidden=data.hidden,
        position=_next_position(list(positions)),
    )
    session.add(section)
    session.flush()
    if data.position is not None:
        _move(_sections(session, course.id), section, data.position)
    touch(course)
    record_edit(session, actor, course, "section.created", section.title)
    return section


def editable_section(session: Session, actor: Actor, section_id: int) -> tuple[Section, Course]:
    section = session.get(Section, section_id)
    if section is None:
        raise NotFound(N_("No such section."))
    return section, editable_course(session, actor, section.course_id)


def update_section(session: Session, actor: Actor, section_id: int, data: SectionUpdate) -> Section:
    section, course = editable_section(session, actor, section_id)
    was_hidden = section.hidden
    changes = data.model_dump(exclude_unset=True, exclude={"position"})
    for name, value in changes.items():
        setattr(section, name, value)
    if data.position is not None:
        _move(_sections(session, course.id), section, data.position)
    touch(course)
    was_now = (was_hidden, section.hidden)
    record_visibility(session, actor, course, "section", section.title, was_now)
    record_update(session, actor, course, "section", section.title, data.model_fields_set)
    return section


def delete_section(session: Session, actor: Actor, section_id: int) -> None:
    section, course = editable_section(session, actor, section_id)
    contents = _contents_of(session, Module.section_id == section.id)
    session.delete(section)
    touch(course)
    drop_unused_contents(session, contents)
    record_edit(session, actor, course, "section.deleted", section.title)


Positioned = TypeVar("Positioned", Section, Module)


def _move(siblings: Sequence[Positioned], item: Positioned, position: int) -> None:
    """Put `item` at `position` among its siblings and renumber them 0, 1, 2…"""
    ordered = [sibling for sibling in siblings if sibling.id != item.id]
    ordered.insert(min(position, len(ordered)), item)
    for index, sibling in enumerate(ordered):
        sibling.position = index


def _sections(session: Session, course_id: int) -> Sequence[Section]:
    return session.scalars(
        select(Section).where(Section.course_id == course_id).order_by(Section.position, Section.id)
    ).all()


def _modules(session: Session, section_id: int) -> Sequence[Module]:
    return session.scalars(
        select(Module).where(Module.section_id == section_id).order_by(Module.position, Module.id)
    ).all()


def embed_url(url: str) -> str | None:
    """The player URL for a video page on an allowed host, derived without fetching anything."""
    parts = urlsplit(url)
    host = parts.netloc.lower()
    if host.endswith("youtube.com") or host.endswith("youtube-nocookie.com"):
        video = parse_qs(parts.query).get("v", [""])[0] or parts.path.rsplit("/", 1)[-1]
        return f"https://www.youtube-nocookie.com/embed/{video}" if video.isascii() else None
    if host == "youtu.be":
        return f"https://www.youtube-nocookie.com/embed/{parts.path.lstrip('/')}"
    if host.endswith("vimeo.com"):
        video = parts.path.rstrip("/").rsplit("/", 1)[-1]
        return f"https://player.vimeo.com/video/{video}" if video.isdigit() else None
    return None


def _check_video(settings: Settings, url: str | None) -> None:
    if url is None:
        return
    host = urlsplit(url).netloc.lower()
    if host not in settings.video_embed_hosts or embed_url(url) is None:
        raise VideoHostRefused(
            f"Allowed hosts: {', '.join(settings.video_embed_hosts)}.", field="url"
        )


def add_module(
    session: Session,
    actor: Actor,
    settings: Settings,
    section_id: int,
    data: ModuleCreate,
) -> Module:
    """Add a module to a section. Page bodies are Markdown rendered once to sanitised HTML;
    videos are embedded only from allowed hosts; prerequisites may not form a cycle."""
    section, course = editable_section(session, actor, section_id)
    if data.kind is ModuleKind.VIDEO:
        _check_video(settings, str(data.url) if data.url else None)
    if session.scalar(
        select(Module.id).where(Module.course_id == course.id, Module.key == data.key)
    ):
        raise ModuleKeyTaken(field="key")
    positions = session.scalars(select(Module.position).where(Module.section_id == section.id))
    module = Module(
        course_id=course.id,
        section_id=section.id,
        key=data.key,
        kind=data.kind,
        title=data.title,
        body_markdown=data.body,
        body_html=render_markdown(data.body, course.language) if data.body else "",
        url=str(data.url) if data.url else None,
        description=data.description,
        completion_rule=data.completion,
        required=data.required,
        status=data.status,
        hidden=data.hidden,
        available_from=data.available_from,
        available_until=data.available_until,
        is_open=data.is_open,
        licence=data.licence,
        external_ref=data.external_ref,
        position=_next_position(list(positions)),
    )
    session.add(module)
    session.flush()
    if data.position is not None:
        _move(_modules(session, section.id), module, data.position)
    set_requirements(session, course.id, module, data.requires)
    touch(course)
    record_edit(session, actor, course, "module.created", module.title)
    return module


def set_requirements(session: Session, course_id: int, module: Module, keys: list[str]) -> None:
    ids_by_key = dict(
        session.execute(select(Module.key, Module.id).where(Module.course_id == course_id)).all()
    )
    unknown = [key for key in keys if key not in ids_by_key]
    if unknown:
        raise Invalid(f"No module of this course has the key {unknown[0]!r}.", field="requires")
    required = [ids_by_key[key] for key in keys]
    check_no_cycle(module_prerequisites(session, course_id), module.id, required)
    session.execute(delete(ModulePrerequisite).where(ModulePrerequisite.module_id == module.id))
    session.add_all(ModulePrerequisite(module_id=module.id, required_module_id=r) for r in required)
    session.flush()


def editable_module(session: Session, actor: Actor, module_id: int) -> tuple[Module, Course]:
    module = session.get(Module, module_id)
    if module is None:
        raise NotFound(N_("No such module."))
    return module, editable_course(session, actor, module.course_id)


def update_module(
    session: Session, actor: Actor, settings: Settings, module_id: int, data: ModuleUpdate
) -> Module:
    module, course = editable_module(session, actor, module_id)
    was_hidden, was_published = module.hidden, module.status is Status.PUBLISHED
    changes = data.model_dump(exclude_unset=True, exclude={"requires", "position", "section_id"})
    if "url" in changes:
        changes["url"] = str(data.url) if data.url else None
        if module.kind is ModuleKind.LINK and changes["url"] is None:
            raise Invalid(N_("This field is required."), field="url")  # a link needs one
        if module.kind is ModuleKind.VIDEO:
            _check_video(settings, changes["url"])
    if "body" in changes:
        body = changes.pop("body") or ""
        module.body_markdown, module.body_html = body, render_markdown(body, course.language)
    if "completion" in changes:
        module.completion_rule = changes.pop("completion")
    for name, value in changes.items():
        setattr(module, name, value)
    if data.section_id is not None and data.section_id != module.section_id:
        target, target_course = editable_section(session, actor, data.section_id)
        if target_course.id != course.id:
            raise Invalid("The section belongs to another course.", field="section_id")
        module.section_id = target.id
        module.position = _next_position(
            list(session.scalars(select(Module.position).where(Module.section_id == target.id)))
        )
    if data.position is not None:
        _move(_modules(session, module.section_id), module, data.position)
    if data.requires is not None:
        set_requirements(session, course.id, module, data.requires)
    touch(course)
    record_visibility(
        session, actor, course, "module", module.title, (was_hidden, module.hidden),
        (was_published, module.status is Status.PUBLISHED),
    )  # fmt: skip
    record_update(session, actor, course, "module", module.title, data.model_fields_set)
    return module


def delete_module(session: Session, actor: Actor, module_id: int) -> None:
    module, course = editable_module(session, actor, module_id)
    contents = _contents_of(session, Module.id == module.id)
    session.delete(module)
    touch(course)
    drop_unused_contents(session, contents)
    record_edit(session, actor, course, "module.deleted", module.title)


def _contents_of(session: Session, modules: ColumnElement[bool]) -> list[int]:
    return list(
        session.scalars(
            select(ModuleFile.content_file_id).join(Module, Module.id == ModuleFile.module_id)
            .where(modules)
        )
    )  # fmt: skip


def drop_unused_contents(session: Session, content_file_ids: list[int]) -> None:
    """Forget stored content no module uses any more: without its row, `agora storage gc`
    finds the content unreferenced and deletes it (never at once: a rollback would need it)."""
    if not content_file_ids:
        return
    still_used = [
        ~select(key.parent).where(key.parent == ContentFile.id).exists()
        for key in _references_to_contents()
    ]
    session.execute(
        delete(ContentFile)
        .where(ContentFile.id.in_(set(content_file_ids)), *still_used)
        .execution_options(synchronize_session=False)
    )


def _references_to_contents() -> list[ForeignKey]:
    """Every column that points to a stored content: module files, and the tables of the
    domains above (submissions, feedback) that the courses domain does not import."""
    target = ContentFile.__table__.c.id
    return [
        key
        for table in ContentFile.metadata.tables.values()
        for key in table.foreign_keys
        if key.column is target
    ]


def store_upload(
    session: Session, settings: Settings, stream: IO[bytes], name: str
) -> tuple[ContentFile, str]:
    """Store an upload once by its content (size-limited, its type read from its bytes, kept
    only if the transaction commits) and give its content row and its safe file name. For
    every domain that takes files: module files, submissions, feedback."""
    file_name = safe_file_name(name)
    stored = save_for_transaction(
        session, storage_for(settings), stream, file_name, settings.max_upload_bytes
    )
    content = session.scalar(select(ContentFile).where(ContentFile.sha256 == stored.sha256))
    if content is None:
        content = ContentFile(sha256=stored.sha256, size=stored.size, media_type=stored.media_type)
        session.add(content)
        session.flush()
    return content, file_name


def attach_file(
    session: Session,
    actor: Actor,
    settings: Settings,
    module_id: int,
    stream: IO[bytes],
    name: str,
) -> ModuleFile:
    """Store an upload (size-limited, type checked by its content) and attach it to a module.
    Nothing is recorded unless the file was accepted. Returned with its stored content."""
    module, course = editable_module(session, actor, module_id)
    content, file_name = store_upload(session, settings, stream, name)
    existing = session.scalar(
        select(ModuleFile).where(ModuleFile.module_id == module.id, ModuleFile.name == file_name)
    )
    replaced: list[int] = []
    if existing is not None:
        replaced.append(existing.content_file_id)
        existing.content = content
        attached = existing
    else:
        count = len(
            list(session.scalars(select(ModuleFile.id).where(ModuleFile.module_id == module.id)))
        )
        attached = ModuleFile(module_id=module.id, content=content, name=file_name, position=count)
        session.add(attached)
    session.flush()
    drop_unused_contents(session, replaced)
    touch(course)
    action = "file.replaced" if existing is not None else "file.added"
    record_edit(session, actor, course, action, f"{module.title}: {file_name}")
    return attached


def read_module(
    session: Session, actor: Actor, module_id: int, within: CourseAccess | None = None
) -> ModuleAccess:
    """A module as its reader may see it. Students cannot open a locked module; they are told
    why it is locked. `within`, the course whose address the module is read at (as already
    read for this reader): a module belongs to its course, so another course's is not found."""
    # One statement for the module with its files and translations (a few rows each).
    module = (
        session.execute(
            select(Module)
            .where(Module.id == module_id)
            .options(
                joinedload(Module.files).joinedload(ModuleFile.content),
                joinedload(Module.translations),
            )
        )
        .unique()
        .scalar_one_or_none()
    )
    if module is None or (within is not None and within.course.id != module.course_id):
        raise NotFound(N_("No such module."))
    if within is not None:
        course = within
    else:
        course_row = session.get(Course, module.course_id)
        if course_row is None:
            raise NotFound(N_("No such module."))
        course = CourseAccess(course_row, course_roles(session, actor, course_row.id))
    # An open module of a closed course is readable on its own, so the course's own
    # visibility is not required here: the module's rule covers both cases.
    if not policy.can_view_module(
        actor, course.course, module, course.roles,
        in_hidden_section=_in_hidden_section(session, actor, course, module),
        preview=course.preview,
    ):  # fmt: skip
        raise NotFound(N_("No such module."))
    locks, completed = locks_for(session, actor, course, module)
    if locks:
        raise ModuleLocked(locks)
    return ModuleAccess(module, course, locks, completed)


def locks_for(
    session: Session, actor: Actor, course: CourseAccess, module: Module
) -> tuple[list[LockReason], frozenset[int]]:
    """Why the reader cannot open the module yet (nothing for staff), and the modules of
    the course they have completed."""
    from app.courses.service.completion import completed_module_ids, course_shape

    completed = frozenset(completed_module_ids(session, actor.user_id, course.course.id))
    if policy.sees_drafts(actor, course.roles):
        return [], completed
    if not policy.prerequisites_lock(course.roles):  # availability windows only
        return module_locks(module, {}, set(completed), {}), completed
    shape = course_shape(session, course.course)
    locks = course_locks(session, course.course, actor.user_id) + module_locks(
        module, shape.students_prerequisites, set(completed), shape.titles
    )
    return locks, completed


def _in_hidden_section(
    session: Session, actor: Actor, course: CourseAccess, module: Module
) -> bool:
    """From the cached course structure; staff see hidden sections, so it is not read."""
    from app.courses.service.completion import course_shape

    if policy.sees_drafts(actor, course.roles):
        return False
    return module.id in course_shape(session, course.course).in_hidden_section


def module_file(session: Session, actor: Actor, module_id: int, name: str) -> ModuleFile:
    access = read_module(session, actor, module_id)
    for attached in access.module.files:
        if attached.name == name:
            return attached
    raise NotFound(N_("No such file."))
