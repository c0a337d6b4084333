"""Stored files and rows stay in step: an import whose transaction fails takes back the
files it stored (never content a kept row uses), and `agora storage gc` deletes what no row
references once it is old enough not to be an upload in flight."""

import io
import logging
import os
import time
import uuid
import zipfile
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from app import cli
from app.core import config, storage
from app.core.actors import PlatformRole
from app.core.config import Settings
from app.core.storage import storage_for
from app.courses.models import Course
from app.courses.service import content
from app.models import Base
from app.seed import load_institutions
from tests.accounts.factories import PASSWORD, api_token, bearer, make_user
from tests.courses.conftest import stored_files
from tests.courses.factories import COURSE_DIR, SEED, import_hs101

TWO_HOURS_AGO = time.time() - 2 * 3600


@pytest.fixture
def manager(client: TestClient, db: Session) -> dict[str, str]:
    load_institutions(db, SEED)  # the package's institution
    make_user(db, email="m@example.org", password=PASSWORD, role=PlatformRole.MANAGER)
    return bearer(api_token(client, "m@example.org"))


def _database_fails_after_a_file_is_stored(monkeypatch: pytest.MonkeyPatch) -> None:
    """From now on the database goes away during an import, right after a file was stored."""
    attach_file = content.attach_file

    def attach_then_fail(*args, **kwargs):
        attach_file(*args, **kwargs)
        raise OperationalError("INSERT", {}, Exception("server closed the connection"))

    monkeypatch.setattr(content, "attach_file", attach_then_fail)


def _import(client: TestClient, headers: dict[str, str], data: bytes, code: str = "HS-NEW"):
    return client.post(
        f"/api/v1/courses/import?code={code}", files={"package": ("c.zip", data)}, headers=headers
    )


def test_an_import_failing_after_storing_files_leaves_no_file_behind(
    client: TestClient,
    db: Session,
    settings: Settings,
    manager: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
):
    _database_fails_after_a_file_is_stored(monkeypatch)

    response = _import(client, manager, _zip_of(COURSE_DIR, _never_stored()))

    assert response.status_code == 503
    assert db.scalar(select(func.count()).select_from(Course)) == 0
    assert stored_files(settings) == []


def test_a_failed_import_keeps_content_a_kept_row_references_even_when_it_stored_it(
    client: TestClient,
    db: Session,
    settings: Settings,
    manager: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
):
    import_hs101(db, settings)  # stores files/glossary.txt, referenced by its module
    (glossary,) = stored_files(settings)
    glossary.unlink()  # lost (a partial backup restored): the import will store it anew
    _database_fails_after_a_file_is_stored(monkeypatch)

    response = _import(client, manager, _zip_of(COURSE_DIR))

    assert response.status_code == 503
    assert stored_files(settings) == [glossary]


def test_content_saved_again_since_is_kept_for_the_upload_that_saved_it(
    client: TestClient,
    db: Session,
    settings: Settings,
    manager: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
):
    attach_file = content.attach_file
    glossary = _never_stored()

    def attach_then_someone_uploads_the_same_then_fail(*args, **kwargs):
        attach_file(*args, **kwargs)
        same = io.BytesIO(glossary)
        storage_for(settings).save(same, "glossary.txt", settings.max_upload_bytes)
        raise OperationalError("INSERT", {}, Exception("server closed the connection"))

    monkeypatch.setattr(content, "attach_file", attach_then_someone_uploads_the_same_then_fail)

    response = _import(client, manager, _zip_of(COURSE_DIR, glossary))

    assert response.status_code == 503
    assert len(stored_files(settings)) == 1


def test_files_the_database_cannot_vouch_for_are_left_to_gc(
    client: TestClient,
    db: Session,
    settings: Settings,
    manager: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
):
    _database_fails_after_a_file_is_stored(monkeypatch)

    def database_still_down(*_args, **_kwargs):
        raise OperationalError("SELECT", {}, Exception("connection refused"))

    monkeypatch.setattr(storage, "_still_referenced", database_still_down)

    with caplog.at_level(logging.WARNING, logger="agora.storage"):
        response = _import(client, manager, _zip_of(COURSE_DIR, _never_stored()))

    assert response.status_code == 503
    assert len(stored_files(settings)) == 1
    assert "left for storage gc" in caplog.text


def _zip_of(folder: Path, glossary: bytes | None = None) -> bytes:
    """The folder as a package, its glossary file holding `glossary` if given."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in folder.rglob("*"):
            name = path.relative_to(folder).as_posix()
            if name == "files/glossary.txt" and glossary is not None:
                archive.writestr(name, glossary)
            elif path.is_file():
                archive.write(path, name)
    return buffer.getvalue()


def _never_stored() -> bytes:
    """Content no test stored before (tests on committing connections leave rows behind)."""
    return f"Glossary {uuid.uuid4()}\n".encode()


# --- agora storage gc ---------------------------------------------------------------------


@pytest.fixture
def cli_settings(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setattr(config, "get_settings", lambda: settings)
    return settings


def _save(settings: Settings, data: bytes, *, age: float | None = None) -> Path:
    stored = storage_for(settings).save(io.BytesIO(data), "f.txt", settings.max_upload_bytes)
    path = settings.storage_dir / stored.sha256[:2] / stored.sha256[2:4] / stored.sha256
    if age is not None:
        os.utime(path, (age, age))
    return path


def _age_everything(settings: Settings) -> None:
    for path in stored_files(settings):
        os.utime(path, (TWO_HOURS_AGO, TWO_HOURS_AGO))


def test_gc_deletes_old_orphans_and_keeps_referenced_and_recent_files(
    db: Session, cli_settings: Settings, capsys: pytest.CaptureFixture[str]
):
    import_hs101(db, cli_settings)
    _age_everything(cli_settings)  # the course's files are old, and referenced
    referenced = stored_files(cli_settings)
    orphan = _save(cli_settings, b"left by a crashed import", age=TWO_HOURS_AGO)
    in_flight = _save(cli_settings, b"an upload not yet committed")

    assert cli.main(["storage", "gc"]) == 0

    assert not orphan.exists()
    assert in_flight.exists()
    assert all(path.exists() for path in referenced)
    assert f"removed {orphan.name}" in capsys.readouterr().out


def test_gc_dry_run_lists_what_would_go_and_deletes_nothing(
    db: Session, cli_settings: Settings, capsys: pytest.CaptureFixture[str]
):
    orphan = _save(cli_settings, b"left by a crashed import", age=TWO_HOURS_AGO)

    assert cli.main(["storage", "gc", "--dry-run"]) == 0

    assert orphan.exists()
    out = capsys.readouterr().out
    assert f"would remove {orphan.name}" in out
    assert "would remove 1 unreferenced file(s)" in out


def test_gc_knows_every_column_that_holds_a_storage_key():
    """A new column of SHA-256 keys must be marked `info=STORAGE_KEY`, or gc would delete the
    files it references."""
    marked = {f"{c.table.name}.{c.name}" for c in storage.storage_key_columns()}
    keys = {
        f"{table.name}.{column.name}"
        for table in Base.metadata.sorted_tables
        for column in table.columns
        if column.name == "sha256"
    }

    assert marked == keys
    assert {"content_files.sha256", "webinar_materials.sha256", "webinar_recordings.sha256"} <= keys
