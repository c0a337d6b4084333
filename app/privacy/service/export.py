"""A person's data export: a zip with one JSON file per table that refers to them (the rows
`coverage.RULES` selects, secrets withheld), the files they put up, and `manifest.json`
saying what is where and what was left out. Every export is audited."""

import base64
import json
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import IO, Any
from zipfile import ZIP_DEFLATED, ZipFile

from sqlalchemy import Table, or_, select
from sqlalchemy.orm import Session

from app.accounts.service import audit
from app.core.actors import Actor
from app.core.config import Settings
from app.core.db import utcnow
from app.core.storage import CHUNK, Storage, storage_for
from app.privacy.service import access, tables
from app.privacy.service.coverage import RULES, Export, NotExported

SPOOL_IN_MEMORY = 8 * 1024 * 1024
CONTENT_FILES = "content_files"


@dataclass
class PersonalData:
    """The finished zip, to be streamed and then closed."""

    name: str
    size: int
    file: IO[bytes]

    def chunks(self) -> Iterator[bytes]:
        try:
            self.file.seek(0)
            while chunk := self.file.read(CHUNK):
                yield chunk
        finally:
            self.file.close()


def export_mine(session: Session, actor: Actor, settings: Settings) -> PersonalData:
    """The caller's own data."""
    if actor.user_id is None or actor.is_partner_client:
        raise access.NoSuchPerson()
    return export_person(session, actor, settings, actor.user_id)


def export_person(
    session: Session, actor: Actor, settings: Settings, person_id: int
) -> PersonalData:
    """A person's data: their own, or a privacy officer's for a person in their reach."""
    person = access.person_for(session, actor, person_id, access.exportable(actor))
    audit(session, actor, "privacy.export", f"user:{person.id}")
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY)  # noqa: SIM115
    with ZipFile(spool, "w", ZIP_DEFLATED) as archive:
        _write(session, storage_for(settings), archive, person.id)
    size = spool.tell()
    return PersonalData(f"agora-personal-data-{person.id}.zip", size, spool)


def _write(session: Session, storage: Storage, archive: ZipFile, person_id: int) -> None:
    manifest: dict[str, Any] = {
        "person_id": person_id,
        "exported_at": utcnow().isoformat(),
        "tables": {},
        "not_exported": {},
        "files": [],
    }
    ids: dict[str, list[int]] = {}
    for name, rule in sorted(RULES.items()):
        if isinstance(rule.export, NotExported):
            manifest["not_exported"][name] = rule.export.reason
            continue
        rows = _rows(session, tables.table(name), rule.export, person_id)
        ids[name] = [row["id"] for row in rows if isinstance(row.get("id"), int)]
        manifest["tables"][name] = {
            "rows": len(rows),
            "withheld": sorted(rule.export.withheld),
        }
        if rows:
            manifest["tables"][name]["file"] = f"tables/{name}.json"
            archive.writestr(f"tables/{name}.json", _json(rows))
    manifest["files"] = _write_files(session, storage, archive, ids)
    archive.writestr("manifest.json", _json(manifest))


def _rows(session: Session, of: Table, rule: Export, person_id: int) -> list[dict[str, Any]]:
    on = rule.on or tuple(tables.person_columns(of))
    shown = [column for column in of.columns if column.name not in rule.withheld]
    where = or_(*(of.c[name] == person_id for name in on), rule.also(of, person_id))
    order = list(of.primary_key.columns)
    result = session.execute(select(*shown).where(where).order_by(*order))
    return [{name: _plain(value) for name, value in row._mapping.items()} for row in result]


def _file_tables() -> list[tuple[Table, str, str, str]]:
    """Tables of uploaded files: (table, its content column, its parent column, the parent)."""
    found = []
    for candidate in tables.tables():
        content = [c.name for c in candidate.columns if tables.points_at(c, CONTENT_FILES)]
        for column in candidate.columns:
            for fk in column.foreign_keys:
                parent = fk.column.table.name
                if content and parent not in (CONTENT_FILES, candidate.name):
                    found.append((candidate, content[0], column.name, parent))
    return found


def _write_files(
    session: Session, storage: Storage, archive: ZipFile, ids: dict[str, list[int]]
) -> list[dict[str, Any]]:
    """The files attached to the exported rows (a submission's, a post's, evidence…)."""
    content = tables.table(CONTENT_FILES)
    listed: list[dict[str, Any]] = []
    for files, content_column, parent_column, parent in _file_tables():
        if not ids.get(parent):
            continue
        rows = session.execute(
            select(files.c.id, files.c.name, content.c.sha256, content.c.size, content.c.media_type)
            .join(content, content.c.id == files.c[content_column])
            .where(files.c[parent_column].in_(ids[parent]))
            .order_by(files.c.id)
        ).all()
        for row_id, name, sha256, size, media_type in rows:
            path = f"files/{files.name}/{row_id}-{name.replace('/', '_')}"
            present = storage.exists(sha256)
            if present:
                with archive.open(path, "w") as out:
                    for chunk in storage.open(sha256):
                        out.write(chunk)
            listed.append({
                "path": path if present else None, "table": files.name, "row_id": row_id,
                "name": name, "sha256": sha256, "size": size, "media_type": media_type,
            })  # fmt: skip
    return listed


def _plain(value: object) -> object:
    """A value as readable JSON: ISO dates, decimals as strings, enums by their value."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    return value


def _json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True)
