"""Uploads and course packages: limits, types, traversal, zip bombs, round trips, the seed."""

import io
import stat
import zipfile

import pytest
import yaml
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.core.actors import SYSTEM, PlatformRole
from app.core.config import Settings
from app.courses.models import Course, Module, ModuleFile, Programme, Section
from app.courses.service import packages
from app.membership.models import CourseRole
from app.seed import load_seed
from tests.accounts.factories import PASSWORD, api_token, bearer, make_user
from tests.courses.conftest import stored_files
from tests.courses.factories import SEED, enrol_as, import_hs101, module

PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
ELF = b"\x7fELF\x02\x01\x01" + b"\x00" * 120


def _count(db: Session, model: type) -> int:
    return db.scalar(select(func.count()).select_from(model)) or 0


@pytest.fixture
def teacher(client: TestClient, db: Session, settings: Settings):
    course = import_hs101(db, settings)
    user = make_user(db, email="t@example.org", password=PASSWORD)
    enrol_as(db, course, user, CourseRole.TEACHER)
    return course, bearer(api_token(client, user.email))


def _upload(client: TestClient, module_id: int, headers: dict[str, str], name: str, data: bytes):
    return client.post(
        f"/api/v1/modules/{module_id}/files", files={"file": (name, data)}, headers=headers
    )


def test_teacher_uploads_a_pdf_and_students_download_it_as_an_attachment(
    client: TestClient, db: Session, settings: Settings, teacher
):
    course, headers = teacher
    glossary = module(db, course, "glossary")

    uploaded = _upload(client, glossary.id, headers, "reading.pdf", PDF)
    download = client.get(uploaded.json()["url"], headers=headers)

    assert uploaded.status_code == 201
    assert uploaded.json()["media_type"] == "application/pdf"
    assert download.content == PDF
    assert download.headers["content-disposition"].startswith("attachment")
    assert download.headers["x-content-type-options"] == "nosniff"


def test_html_uploads_are_served_as_attachments_never_inline(
    client: TestClient, db: Session, settings: Settings, teacher
):
    course, headers = teacher
    glossary = module(db, course, "glossary")

    uploaded = _upload(client, glossary.id, headers, "page.html", b"<script>alert(1)</script>")
    download = client.get(uploaded.json()["url"])

    assert download.headers["content-type"].startswith("text/html")
    assert download.headers["content-disposition"].startswith("attachment")
    assert download.headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize(
    ("name", "data", "code"),
    [
        ("big.txt", b"x" * (64 * 1024 + 1), "file_too_large"),
        ("tool.pdf", ELF, "file_type_refused"),
        ("notes.pdf", b"just text, not a PDF", "file_type_refused"),
        ("../../etc/passwd", b"root:x:0:0", "unsafe_file_name"),
        ("..\\evil.txt", b"x", "unsafe_file_name"),
        (".htaccess", b"x", "unsafe_file_name"),
    ],
)
def test_refused_uploads_say_why_and_store_nothing(
    client: TestClient, db: Session, settings: Settings, teacher, name: str, data: bytes, code: str
):
    course, headers = teacher
    glossary = module(db, course, "glossary")
    files_before, rows_before = stored_files(settings), _count(db, ModuleFile)

    response = _upload(client, glossary.id, headers, name, data)

    assert response.status_code == 422
    assert response.json()["code"] == code
    assert stored_files(settings) == files_before
    assert _count(db, ModuleFile) == rows_before


def test_students_cannot_upload(client: TestClient, db: Session, settings: Settings, teacher):
    course, _ = teacher
    student = make_user(db, email="s@example.org", password=PASSWORD)
    enrol_as(db, course, student, CourseRole.STUDENT)

    response = _upload(
        client,
        module(db, course, "glossary").id,
        bearer(api_token(client, student.email)),
        "a.pdf",
        PDF,
    )

    assert response.status_code == 403


def _manager(client: TestClient, db: Session) -> dict[str, str]:
    make_user(db, email="m@example.org", password=PASSWORD, role=PlatformRole.MANAGER)
    return bearer(api_token(client, "m@example.org"))


def _zip(entries: dict[str, bytes], *, link: str | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
        if link:
            info = zipfile.ZipInfo(link)
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            archive.writestr(info, "/etc/passwd")
    return buffer.getvalue()


def _manifest(**changes: object) -> bytes:
    data = yaml.safe_load((SEED / "courses" / "HS-101" / "course.yaml").read_text())
    data.update(changes)
    return yaml.safe_dump(data).encode()


def _package(**changes: object) -> dict[str, bytes]:
    root = SEED / "courses" / "HS-101"
    return {
        "course.yaml": _manifest(**changes),
        "week-1/intro.md": (root / "week-1" / "intro.md").read_bytes(),
        "week-1/blocks.md": (root / "week-1" / "blocks.md").read_bytes(),
        "files/glossary.txt": (root / "files" / "glossary.txt").read_bytes(),
    }


def _import(client: TestClient, headers: dict[str, str], data: bytes):
    return client.post(
        "/api/v1/courses/import", files={"package": ("c.zip", data)}, headers=headers
    )


def test_export_then_import_gives_an_identical_course(
    client: TestClient, db: Session, settings: Settings
):
    headers = _manager(client, db)
    course = import_hs101(db, settings)
    exported = client.get(f"/api/v1/courses/{course.id}/export", headers=headers)

    imported = client.post(
        "/api/v1/courses/import?code=HS-101-COPY",
        files={"package": ("c.zip", exported.content)},
        headers=headers,
    )
    again = client.get(f"/api/v1/courses/{imported.json()['id']}/export", headers=headers)

    def manifest(data: bytes) -> dict[str, object]:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return {
                "manifest": {**yaml.safe_load(archive.read("course.yaml")), "code": None},
                "files": {n: archive.read(n) for n in archive.namelist() if n != "course.yaml"},
            }

    assert imported.status_code == 201
    assert manifest(again.content) == manifest(exported.content)


@pytest.mark.parametrize(
    ("entries", "words"),
    [
        ({**_package(), "../escape.md": b"x"}, "Unsafe path"),
        ({**_package(), "/etc/cron.d/x": b"x"}, "Unsafe path"),
        ({**_package(surprise=True)}, "surprise"),
        ({k: v for k, v in _package().items() if k != "week-1/blocks.md"}, "week-1/blocks.md"),
        (
            {
                **_package(
                    sections=[
                        {
                            "title": "S",
                            "modules": [
                                {"key": "a", "kind": "page", "title": "A", "requires": ["zzz"]}
                            ],
                        }
                    ]
                )
            },
            "'zzz'",
        ),
        (
            {
                **_package(
                    sections=[
                        {
                            "title": "S",
                            "modules": [
                                {"key": "a", "kind": "manual", "title": "A", "requires": ["b"]},
                            ],
                        }
                    ]
                )
            },
            "kind",
        ),
        (
            {
                **_package(
                    sections=[
                        {
                            "title": "S",
                            "modules": [
                                {"key": "a", "kind": "page", "title": "A", "requires": ["b"]},
                                {"key": "b", "kind": "page", "title": "B", "requires": ["a"]},
                            ],
                        }
                    ]
                )
            },
            "cycle",
        ),
    ],
)
def test_bad_packages_are_refused_whole_naming_the_entry(
    client: TestClient, db: Session, settings: Settings, entries: dict[str, bytes], words: str
):
    headers = _manager(client, db)
    load_seed(db, settings, SEED.parent / "missing")  # nothing: keeps the database empty
    courses_before, files_before = _count(db, Course), stored_files(settings)

    response = _import(client, headers, _zip(entries))

    assert response.status_code == 422
    assert words in response.json()["detail"]
    assert _count(db, Course) == courses_before
    assert stored_files(settings) == files_before


def test_links_inside_a_package_are_refused(client: TestClient, db: Session, settings: Settings):
    headers = _manager(client, db)

    response = _import(client, headers, _zip(_package(), link="files/link.txt"))

    assert response.status_code == 422
    assert "Links are not allowed" in response.json()["detail"]


def test_a_zip_bomb_is_refused_before_it_is_expanded(
    client: TestClient, db: Session, settings: Settings
):
    headers = _manager(client, db)
    bomb = _zip({**_package(), "files/zeros.txt": b"0" * (settings.max_package_bytes + 1)})

    response = _import(client, headers, bomb)

    assert len(bomb) < 10_000
    assert response.status_code == 422
    assert "expands beyond" in response.json()["detail"]
    assert _count(db, Course) == 0


def test_a_bad_file_deep_in_a_package_leaves_nothing_behind(
    client: TestClient, db: Session, settings: Settings
):
    headers = _manager(client, db)
    entries = _package()
    entries["files/glossary.txt"] = ELF

    response = _import(client, headers, _zip(entries))

    assert response.status_code == 422
    assert (_count(db, Course), _count(db, Section), _count(db, Module)) == (0, 0, 0)


def test_the_seed_loads_twice_with_no_change(db: Session, settings: Settings):
    first = load_seed(db, settings, SEED)
    counts = [_count(db, model) for model in (Course, Section, Module, ModuleFile, Programme)]

    second = load_seed(db, settings, SEED)

    assert (first.courses, first.programmes) == (1, 1)
    assert (second.institutions, second.courses, second.programmes) == (0, 0, 0)
    assert [
        _count(db, model) for model in (Course, Section, Module, ModuleFile, Programme)
    ] == counts


def test_the_projects_own_seed_loads(db: Session, settings: Settings):
    settings.max_upload_bytes = 10 * 1024 * 1024
    report = load_seed(db, settings)

    assert report.courses >= 4
    assert report.programmes >= 4
    assert db.scalar(select(Course).where(Course.code == "MPHM-IND")) is not None


def test_programme_without_a_mandatory_course_cannot_be_published(
    client: TestClient, db: Session, settings: Settings
):
    import_hs101(db, settings, code="OTHER-1")
    from app.seed import load_institutions

    load_institutions(db, SEED)
    headers = _manager(client, db)
    client.post(
        "/api/v1/programmes",
        json={
            "code": "BAD",
            "kind": "master",
            "title": "Incomplete",
            "institutions": ["P1"],
            "courses": [{"code": "OTHER-1"}],
        },
        headers=headers,
    )

    response = client.post("/api/v1/programmes/BAD/publish", headers=headers)

    assert response.status_code == 422
    assert response.json()["code"] == "mandatory_course_missing"
    assert "HS-101" in response.json()["detail"]
    stored = db.scalar(select(Programme).where(Programme.code == "BAD"))
    assert stored is not None
    assert stored.status.value == "draft"


def test_directory_source_refuses_links(tmp_path, settings: Settings):
    (tmp_path / "course.yaml").write_text("format: agora-course/1\n")
    (tmp_path / "evil.md").symlink_to("/etc/passwd")

    with pytest.raises(packages.PackageInvalid, match="Links are not allowed"):
        packages.read_manifest(packages.DirectorySource(tmp_path), settings)

    assert SYSTEM.is_system
