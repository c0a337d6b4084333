"""Course packages: a course as a zip of `course.yaml` + Markdown + files (the format of
`courses_seed/`), exported and imported whole. Import is all or nothing."""

import io
import stat
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path, PurePosixPath
from typing import IO, Literal, Protocol

from pydantic import Field, ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from app.accounts.models import Institution
from app.core.actors import Actor
from app.core.config import Settings
from app.core.errors import Invalid
from app.core.i18n import N_, SUPPORTED_LOCALES
from app.core.inputs import StrictInput
from app.core.storage import sniff_media_type, storage_for
from app.courses.models import (
    CompletionRule,
    Course,
    Module,
    ModuleFile,
    ModuleKind,
    ModulePrerequisite,
    Section,
    SelfEnrolment,
)
from app.courses.schemas import (
    Code,
    CourseCreate,
    CourseEqfLevel,
    IscedCode,
    Key,
    Licence,
    ModuleCreate,
    SectionCreate,
    TranslationWrite,
)
from app.courses.service import content, courses, partners, translations
from app.courses.service.access import check_no_cycle

FORMAT = "agora-course/1"
MANIFEST = "course.yaml"
MAX_ENTRIES = 5000


class PackageInvalid(Invalid):
    code = "package_invalid"
    title = N_("The course package is not valid.")


class TranslationEntry(StrictInput):
    """A module's version in another language: `body` is the path of its Markdown."""

    title: str = Field(min_length=1, max_length=300)
    body: str | None = None
    description: str = ""


class ModuleEntry(StrictInput):
    key: Key
    kind: ModuleKind
    title: str = Field(min_length=1, max_length=300)
    body: str | None = None
    url: str | None = None
    file: str | None = None
    files: list[str] = Field(default_factory=list)
    description: str = ""
    completion: CompletionRule = CompletionRule.VIEWED
    required: bool = True
    requires: list[Key] = Field(default_factory=list)
    # By language code (`ru: {title: …, body: pages/x.ru.md}`); never the course's language.
    translations: dict[str, TranslationEntry] = Field(default_factory=dict)
    open: bool = False
    licence: Licence | None = None
    hidden: bool = False  # hidden from students


class SectionEntry(StrictInput):
    title: str = Field(min_length=1, max_length=300)
    summary: str = ""
    hidden: bool = False  # hidden from students, with its modules
    modules: list[ModuleEntry] = Field(default_factory=list)


class CourseManifest(StrictInput):
    format: Literal["agora-course/1"]
    code: Code
    title: str
    summary: str = ""
    language: str = "en"
    ects: Decimal = Decimal(0)
    workload_hours: int = 0
    # The reference group of the ECTS grading tables: field (ISCED-F) and cycle (EQF).
    isced_code: IscedCode | None = None
    eqf_level: CourseEqfLevel | None = None
    institution: str | None = None
    # Codes of the partner institutions (joint courses); each must exist on this platform.
    partners: list[str] = Field(default_factory=list)
    open: bool = False
    licence: Licence | None = None
    self_enrolment: SelfEnrolment = SelfEnrolment.CLOSED
    starts_on: date | None = None
    ends_on: date | None = None
    sections: list[SectionEntry] = Field(default_factory=list)


class PackageSource(Protocol):
    def names(self) -> set[str]: ...

    def read(self, name: str, limit: int) -> bytes: ...

    def open(self, name: str) -> IO[bytes]: ...


def _check_entry_name(name: str) -> str:
    path = PurePosixPath(name)
    if (
        "\\" in name
        or path.is_absolute()
        or ".." in path.parts
        or name.startswith("/")
        or any(ord(ch) < 32 for ch in name)
    ):
        raise PackageInvalid(f"Unsafe path in the package: {name!r}.", field=name)
    return str(path)


@dataclass
class ZipSource:
    """A zip archive, checked before anything is read: no links, no paths outside it, and no
    more than `limit` bytes once expanded (zip bombs are refused)."""

    archive: zipfile.ZipFile
    limit: int
    _names: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        infos = self.archive.infolist()
        if len(infos) > MAX_ENTRIES:
            raise PackageInvalid(f"More than {MAX_ENTRIES} entries in the package.")
        expanded = 0
        for info in infos:
            name = _check_entry_name(info.filename)
            if stat.S_ISLNK(info.external_attr >> 16):
                raise PackageInvalid(f"Links are not allowed in a package: {name!r}.", field=name)
            expanded += info.file_size
            if expanded > self.limit:
                raise PackageInvalid(
                    f"The package expands beyond {self.limit} bytes (at {name!r}).", field=name
                )
            if not info.is_dir():
                self._names.add(name)

    def names(self) -> set[str]:
        return self._names

    def read(self, name: str, limit: int) -> bytes:
        with self.archive.open(name) as handle:
            data = handle.read(limit + 1)
        if len(data) > limit:
            raise PackageInvalid(f"{name!r} is larger than {limit} bytes.", field=name)
        return data

    def open(self, name: str) -> IO[bytes]:
        return self.archive.open(name)


@dataclass
class DirectorySource:
    """A course folder, as in `courses_seed/courses/<CODE>/`; links are refused."""

    root: Path

    def names(self) -> set[str]:
        found = set()
        for path in self.root.rglob("*"):
            if path.is_symlink():
                raise PackageInvalid(f"Links are not allowed: {path.relative_to(self.root)}.")
            if path.is_file():
                found.add(path.relative_to(self.root).as_posix())
        return found

    def read(self, name: str, limit: int) -> bytes:
        data = (self.root / _check_entry_name(name)).read_bytes()
        if len(data) > limit:
            raise PackageInvalid(f"{name!r} is larger than {limit} bytes.", field=name)
        return data

    def open(self, name: str) -> IO[bytes]:
        return (self.root / _check_entry_name(name)).open("rb")


def read_manifest(source: PackageSource, settings: Settings) -> CourseManifest:
    """The manifest, validated strictly: unknown fields, missing files, unknown or cyclic
    prerequisites and files of a refused type are named."""
    names = source.names()
    if MANIFEST not in names:
        raise PackageInvalid(f"The package has no {MANIFEST}.", field=MANIFEST)
    import yaml  # for packages only: not imported by every worker at start-up

    try:
        raw = yaml.safe_load(source.read(MANIFEST, 1024 * 1024))
        manifest = CourseManifest.model_validate(raw)
    except yaml.YAMLError as error:
        raise PackageInvalid(f"{MANIFEST} is not valid YAML: {error}", field=MANIFEST) from error
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise PackageInvalid(f"{MANIFEST}: {where}: {first['msg']}", field=where) from error
    _check_references(manifest, names, source, settings)
    return manifest


def _module_files(module: ModuleEntry) -> list[str]:
    return ([module.file] if module.file else []) + module.files


def _check_references(
    manifest: CourseManifest, names: set[str], source: PackageSource, settings: Settings
) -> None:
    keys: dict[str, list[str]] = {}
    for module in (m for s in manifest.sections for m in s.modules):
        if module.key in keys:
            raise PackageInvalid(f"Module key {module.key!r} is used twice.", field=module.key)
        keys[module.key] = module.requires
        for language in module.translations:
            if language not in SUPPORTED_LOCALES or language == manifest.language:
                raise PackageInvalid(
                    f"Module {module.key!r} has a translation in {language!r}: translations "
                    f"are in {', '.join(SUPPORTED_LOCALES)}, other than the course's language.",
                    field=module.key,
                )
        bodies = [t.body for t in module.translations.values() if t.body]
        for path in ([module.body] if module.body else []) + bodies + _module_files(module):
            if _check_entry_name(path) not in names:
                raise PackageInvalid(
                    f"Module {module.key!r} refers to {path!r}, which is not in the package.",
                    field=module.key,
                )
        for path in _module_files(module):
            sniff_media_type(source.read(path, settings.max_upload_bytes)[:8192], path)
    for key, requires in keys.items():
        for required in requires:
            if required not in keys:
                raise PackageInvalid(
                    f"Module {key!r} requires {required!r}, which is not in the package.", field=key
                )
    graph = {index: [list(keys).index(r) for r in req] for index, req in enumerate(keys.values())}
    for index in graph:
        check_no_cycle(graph, index, graph[index])


def import_course(
    session: Session,
    actor: Actor,
    settings: Settings,
    source: PackageSource,
    code: str | None = None,
) -> Course:
    """Create a course from a package, under `code` if given; all of it or nothing."""
    manifest = read_manifest(source, settings)
    with session.begin_nested():
        course = courses.create_course(
            session,
            actor,
            CourseCreate(
                code=code or manifest.code,
                title=manifest.title,
                summary=manifest.summary,
                language=manifest.language,
                ects=manifest.ects,
                workload_hours=manifest.workload_hours,
                isced_code=manifest.isced_code,
                eqf_level=manifest.eqf_level,
                starts_on=manifest.starts_on,
                ends_on=manifest.ends_on,
                institution_code=manifest.institution,
                is_open=manifest.open,
                licence=manifest.licence,
                self_enrolment=manifest.self_enrolment,
            ),
        )
        for partner_code in manifest.partners:
            partners.add_partner(session, actor, course.id, partner_code)
        created: dict[str, Module] = {}
        for section_entry in manifest.sections:
            section = content.add_section(
                session,
                actor,
                course.id,
                SectionCreate(
                    title=section_entry.title,
                    summary=section_entry.summary,
                    hidden=section_entry.hidden,
                ),
            )
            for entry in section_entry.modules:
                created[entry.key] = _import_module(
                    session, actor, settings, source, section.id, entry
                )
        for section_entry in manifest.sections:
            for entry in section_entry.modules:
                if entry.requires:
                    content.set_requirements(session, course.id, created[entry.key], entry.requires)
    return course


def _import_module(
    session: Session,
    actor: Actor,
    settings: Settings,
    source: PackageSource,
    section_id: int,
    entry: ModuleEntry,
) -> Module:
    body = source.read(entry.body, 1024 * 1024).decode("utf-8") if entry.body else ""
    try:
        data = ModuleCreate(
            key=entry.key,
            kind=entry.kind,
            title=entry.title,
            body=body,
            url=entry.url,
            description=entry.description,
            completion=entry.completion,
            required=entry.required,
            is_open=entry.open,
            licence=entry.licence,
            hidden=entry.hidden,
        )
    except ValidationError as error:
        first = error.errors()[0]
        raise PackageInvalid(f"Module {entry.key!r}: {first['msg']}", field=entry.key) from error
    module = content.add_module(session, actor, settings, section_id, data)
    for language, version in entry.translations.items():
        text = source.read(version.body, 1024 * 1024).decode("utf-8") if version.body else ""
        try:
            written = TranslationWrite(
                title=version.title, body=text, description=version.description
            )
        except ValidationError as error:
            first = error.errors()[0]
            raise PackageInvalid(
                f"Module {entry.key!r}, {language}: {first['msg']}", field=entry.key
            ) from error
        translations.save_translation(session, actor, module.id, language, written)
    for path in _module_files(entry):
        with source.open(path) as stream:
            content.attach_file(
                session, actor, settings, module.id, stream, PurePosixPath(path).name
            )
    return module


def export_course(session: Session, actor: Actor, settings: Settings, course_id: int) -> bytes:
    """The course as a package that `import_course` reads back into the same course."""
    course = courses.editable_course(session, actor, course_id)
    sections = session.scalars(
        select(Section)
        .where(Section.course_id == course.id)
        .options(
            selectinload(Section.modules)
            .selectinload(Module.files)
            .selectinload(ModuleFile.content),
            selectinload(Section.modules).selectinload(Module.translations),
        )
        .order_by(Section.position)
    ).all()
    keys = dict(
        session.execute(select(Module.id, Module.key).where(Module.course_id == course.id)).all()
    )
    requires: dict[int, list[str]] = {}
    for module_id, required_id in session.execute(
        select(ModulePrerequisite.module_id, ModulePrerequisite.required_module_id).where(
            ModulePrerequisite.module_id.in_(keys)
        )
    ):
        requires.setdefault(module_id, []).append(keys[required_id])
    import yaml  # see read_manifest

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        institution = (
            session.get(Institution, course.institution_id) if course.institution_id else None
        )
        manifest = _manifest(course, sections, requires, archive, settings)
        manifest["institution"] = institution.code if institution else None
        partner_codes = [p.code for p in partners.partner_institutions(session, course.id)]
        if partner_codes:
            manifest["partners"] = partner_codes
        archive.writestr(MANIFEST, yaml.safe_dump(manifest, allow_unicode=True, sort_keys=False))
    return buffer.getvalue()


def _translation_entries(
    number: int, module: Module, archive: zipfile.ZipFile
) -> dict[str, dict[str, str]]:
    """Each version beside the module's own Markdown, as `<key>.<language>.md`."""
    entries = {}
    for translation in module.translations:
        version = {"title": translation.title}
        if translation.body_markdown:
            version["body"] = f"sections/{number:02d}/{module.key}.{translation.language}.md"
            archive.writestr(version["body"], translation.body_markdown)
        if translation.description:
            version["description"] = translation.description
        entries[translation.language] = version
    return entries


def _reference_group(course: Course) -> dict[str, object]:
    """The course's ECTS reference group for the manifest, when it has one."""
    group: dict[str, object] = {"isced_code": course.isced_code, "eqf_level": course.eqf_level}
    return {key: value for key, value in group.items() if value is not None}


def _manifest(
    course: Course,
    sections: Sequence[Section],
    requires: dict[int, list[str]],
    archive: zipfile.ZipFile,
    settings: Settings,
) -> dict[str, object]:
    section_entries = []
    for number, section in enumerate(sections):
        modules = []
        for module in section.modules:
            entry: dict[str, object] = {
                "key": module.key,
                "kind": module.kind.value,
                "title": module.title,
            }
            if module.body_markdown:
                entry["body"] = f"sections/{number:02d}/{module.key}.md"
                archive.writestr(str(entry["body"]), module.body_markdown)
            if module.url:
                entry["url"] = module.url
            if module.files:
                entry["files"] = [f"files/{module.key}/{f.name}" for f in module.files]
                for attached in module.files:
                    data = b"".join(storage_for(settings).open(attached.content.sha256))
                    archive.writestr(f"files/{module.key}/{attached.name}", data)
            if module.description:
                entry["description"] = module.description
            if module.translations:
                entry["translations"] = _translation_entries(number, module, archive)
            entry.update(
                completion=module.completion_rule.value,
                required=module.required,
                requires=requires.get(module.id, []),
                open=module.is_open,
                licence=module.licence,
            )
            if module.hidden:
                entry["hidden"] = True
            modules.append(entry)
        section_entry: dict[str, object] = {"title": section.title, "summary": section.summary}
        if section.hidden:
            section_entry["hidden"] = True
        section_entries.append({**section_entry, "modules": modules})
    return {
        "format": FORMAT,
        "code": course.code,
        "title": course.title,
        "summary": course.summary,
        "language": course.language,
        "ects": str(course.ects),
        "workload_hours": course.workload_hours,
        **_reference_group(course),
        "institution": None,
        "open": course.is_open,
        "licence": course.licence,
        "self_enrolment": course.self_enrolment.value,
        "starts_on": course.starts_on,
        "ends_on": course.ends_on,
        "sections": section_entries,
    }
