"""One course, several languages: a module's versions in languages other than the course's
own. A reader gets the version in their interface language where it exists, else the module
itself (in the course's language), or the one they choose; completion stays the module's."""

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from app.core.actors import Actor
from app.core.errors import Invalid, NotFound
from app.core.i18n import N_, SUPPORTED_LOCALES
from app.core.markdown import render_markdown
from app.courses.models import Course, Module, ModuleTranslation
from app.courses.schemas import TranslationWrite
from app.courses.service import completion, content
from app.courses.service.content import ModuleAccess
from app.courses.service.courses import CourseAccess, touch
from app.courses.service.history import record_edit


class UnknownContentLanguage(Invalid):
    code = "unknown_content_language"
    title = N_("Choose one of the offered languages.")


class TranslationOfCourseLanguage(Invalid):
    code = "translation_of_course_language"
    title = N_("The module itself is in the course's language: edit the module instead.")


class NoSuchTranslation(NotFound):
    code = "no_such_translation"
    title = N_("This module has no version in that language.")


@dataclass(frozen=True)
class ModuleVersion:
    """The texts of a module in one language, as a reader gets them."""

    language: str
    title: str
    body_html: str
    description: str


def languages_of(module: Module, course_language: str) -> list[str]:
    """The course's language first, then the languages of the module's translations."""
    return [course_language] + [
        t.language for t in module.translations if t.language != course_language
    ]


def choose_language(
    requested: str | None, interface: str | None, course_language: str, available: list[str]
) -> str:
    """The language asked for if the module has it; else the reader's interface language if
    the module has it; else the course's own."""
    for wanted in (requested, interface):
        if wanted and wanted in available:
            return wanted
    return course_language


def version_of(module: Module, course_language: str, language: str) -> ModuleVersion:
    for translation in module.translations:
        if translation.language == language and language != course_language:
            return ModuleVersion(
                language,
                translation.title,
                translation.body_html,
                translation.description,
            )
    return ModuleVersion(course_language, module.title, module.body_html, module.description)


@dataclass(frozen=True)
class ModuleReading:
    """A module opened by a reader: its access, the version shown, the languages it has, and
    whether it is complete for them."""

    access: ModuleAccess
    version: ModuleVersion
    languages: list[str]
    done: bool


def read_module_version(
    session: Session,
    actor: Actor,
    module_id: int,
    *,
    interface: str | None,
    requested: str | None = None,
    within: CourseAccess | None = None,
) -> ModuleReading:
    """Open a module in the reader's language (or the one asked for): whichever version is
    read, the one module is viewed and completed."""
    access = content.read_module(session, actor, module_id, within=within)
    done = completion.record_view(session, actor, access)
    course_language = access.course.course.language
    available = languages_of(access.module, course_language)
    language = choose_language(requested, interface, course_language, available)
    return ModuleReading(
        access, version_of(access.module, course_language, language), available, done
    )


def with_translations(session: Session, module: Module) -> Module:
    """The module with its translations loaded (for an answer that lists them)."""
    session.execute(
        select(Module).where(Module.id == module.id).options(selectinload(Module.translations))
    ).scalars().all()
    return module


def _translatable(
    session: Session, actor: Actor, module_id: int, language: str
) -> tuple[Module, Course]:
    module, course = content.editable_module(session, actor, module_id)
    if language not in SUPPORTED_LOCALES:
        raise UnknownContentLanguage(field="language")
    if language == course.language:
        raise TranslationOfCourseLanguage(field="language")
    return module, course


def find_translation(session: Session, module_id: int, language: str) -> ModuleTranslation | None:
    return session.scalar(
        select(ModuleTranslation).where(
            ModuleTranslation.module_id == module_id, ModuleTranslation.language == language
        )
    )


def save_translation(
    session: Session, actor: Actor, module_id: int, language: str, data: TranslationWrite
) -> tuple[ModuleTranslation, bool]:
    """Create or replace a module's version in a language other than the course's (its
    teachers and managers). True when it was created. The course's version is raised, so
    every cached outline shows the new title."""
    module, course = _translatable(session, actor, module_id, language)
    translation = find_translation(session, module.id, language)
    created = translation is None
    if translation is None:
        translation = ModuleTranslation(module_id=module.id, language=language)
        session.add(translation)
    translation.title = data.title
    translation.body_markdown = data.body
    translation.body_html = render_markdown(data.body, language) if data.body else ""
    translation.description = data.description
    session.flush()
    touch(course)
    record_edit(session, actor, course, "translation.saved", f"{module.title} ({language})")
    return translation, created


def delete_translation(session: Session, actor: Actor, module_id: int, language: str) -> None:
    """Remove a module's version in one language; readers get the course's language again."""
    module, course = _translatable(session, actor, module_id, language)
    translation = find_translation(session, module.id, language)
    if translation is None:
        raise NoSuchTranslation()
    session.delete(translation)
    session.flush()
    touch(course)
    record_edit(session, actor, course, "translation.deleted", f"{module.title} ({language})")


@dataclass(frozen=True)
class TranslationsEditor:
    """What the translations page shows: the module, its course, and its versions."""

    module: Module
    course_language: str
    course_code: str
    translations: dict[str, ModuleTranslation]
    missing: list[str]


def translations_editor(session: Session, actor: Actor, module_id: int) -> TranslationsEditor:
    """A module's translations, for those who may write them."""
    module, course = content.editable_module(session, actor, module_id)
    with_translations(session, module)
    have = {t.language: t for t in module.translations}
    missing = [code for code in SUPPORTED_LOCALES if code != course.language and code not in have]
    return TranslationsEditor(module, course.language, course.code, have, missing)
