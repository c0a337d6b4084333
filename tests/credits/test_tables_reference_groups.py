"""The reference group of a course (ISCED-F field, EQF cycle), which picks its ECTS grading
table: set and read over the course API, validated, carried by course packages, and set on
the seeded LMQS courses."""

import io
import zipfile

import yaml
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.core.actors import SYSTEM, PlatformRole
from app.core.config import Settings
from app.core.security import encode_access_token
from app.courses.service import packages
from app.seed import SEED_DIR, load_institutions
from tests.accounts.factories import bearer, make_user

COURSES = "/api/v1/courses"


def manager(db: Session, settings: Settings) -> dict[str, str]:
    user = make_user(db, role=PlatformRole.MANAGER)
    token, _ = encode_access_token(settings, f"user:{user.id}", ["courses:write", "courses:read"])
    return bearer(token)


def test_a_course_keeps_its_reference_group(
    client: TestClient, db: Session, settings: Settings
) -> None:
    headers = manager(db, settings)
    body = {"code": "RG-1", "title": "Hospital management", "isced_code": "0413", "eqf_level": 7}
    created = client.post(COURSES, json=body, headers=headers)
    assert created.status_code == 201, created.text
    assert (created.json()["isced_code"], created.json()["eqf_level"]) == ("0413", 7)
    path = f"{COURSES}/{created.json()['id']}"
    changed = client.patch(path, json={"eqf_level": 6}, headers=headers)
    assert changed.status_code == 200, changed.text
    assert client.get(path, headers=headers).json()["eqf_level"] == 6
    cleared = client.patch(path, json={"isced_code": None, "eqf_level": None}, headers=headers)
    assert (cleared.json()["isced_code"], cleared.json()["eqf_level"]) == (None, None)


def test_a_reference_group_is_validated(
    client: TestClient, db: Session, settings: Settings
) -> None:
    headers = manager(db, settings)
    for wrong in ({"isced_code": "413"}, {"isced_code": "04a3"}, {"eqf_level": 9},
                  {"eqf_level": 4}):  # fmt: skip
        body = {"code": "RG-2", "title": "Hospital management", **wrong}
        assert client.post(COURSES, json=body, headers=headers).status_code == 422


def test_the_lmqs_courses_are_in_the_health_management_master_group(
    db: Session, settings: Settings
) -> None:
    load_institutions(db, SEED_DIR)
    source = packages.DirectorySource(SEED_DIR / "courses" / "LMQS-QM")
    course = packages.import_course(db, SYSTEM, settings, source)
    assert (course.isced_code, course.eqf_level) == ("0413", 7)


def test_a_course_package_carries_the_reference_group(
    client: TestClient, db: Session, settings: Settings
) -> None:
    headers = manager(db, settings)
    body = {"code": "RG-3", "title": "Hospital management", "isced_code": "0988", "eqf_level": 6}
    course_id = client.post(COURSES, json=body, headers=headers).json()["id"]
    exported = client.get(f"{COURSES}/{course_id}/export", headers=headers)
    with zipfile.ZipFile(io.BytesIO(exported.content)) as archive:
        manifest = yaml.safe_load(archive.read("course.yaml"))
    assert (manifest["isced_code"], manifest["eqf_level"]) == ("0988", 6)
    imported = client.post(
        f"{COURSES}/import?code=RG-3-COPY",
        files={"package": ("c.zip", exported.content)},
        headers=headers,
    )
    assert imported.status_code == 201, imported.text
    assert (imported.json()["isced_code"], imported.json()["eqf_level"]) == ("0988", 6)
