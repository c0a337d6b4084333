"""Teachers change what exists: edit, delete (after being told what is lost), duplicate and
move modules and sections, replace and remove files; each change raises the course's version
and is written in the history its teachers and managers read."""

import html
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.core.actors import SYSTEM, PlatformRole
from app.core.config import Settings
from app.core.storage import collect_garbage, storage_for
from app.courses.models import (
    ContentFile,
    Course,
    CourseEdit,
    Module,
    ModuleCompletion,
    ModuleFile,
    ModulePrerequisite,
    Section,
    Status,
)
from app.courses.service import editing
from app.membership.models import CourseRole
from tests.accounts.factories import PASSWORD, api_token, bearer, make_user, page_csrf, sign_in
from tests.courses.conftest import stored_files
from tests.courses.factories import enrol_as, import_hs101, module


@dataclass
class Course101:
    db: Session
    settings: Settings
    course: Course
    teacher: User
    student: User

    def sections(self) -> list[Section]:
        return list(
            self.db.scalars(
                select(Section)
                .where(Section.course_id == self.course.id)
                .order_by(Section.position)
            )
        )

    def keys_of(self, section: Section) -> list[str]:
        return list(
            self.db.scalars(
                select(Module.key).where(Module.section_id == section.id).order_by(Module.position)
            )
        )

    def edits(self) -> list[tuple[str, str, int | None]]:
        """(action, subject, who) of the course's history, oldest first."""
        rows = self.db.execute(
            select(CourseEdit.action, CourseEdit.subject, CourseEdit.actor_user_id)
            .where(CourseEdit.course_id == self.course.id)
            .order_by(CourseEdit.id)
        ).all()
        return [(action, subject, who) for action, subject, who in rows]

    def version(self) -> int:
        self.db.expire(self.course)
        return self.course.version


@pytest.fixture
def hs(db: Session, settings: Settings) -> Course101:
    course = import_hs101(db, settings)
    teacher = make_user(db, email="teacher@example.org", password=PASSWORD)
    teacher.display_name = "Amina Benali"
    enrol_as(db, course, teacher, CourseRole.TEACHER)
    student = make_user(db, email="student@example.org", password=PASSWORD)
    enrol_as(db, course, student, CourseRole.STUDENT)
    db.flush()
    return Course101(db, settings, course, teacher, student)


def _completed(hs: Course101, key: str, *users: User) -> None:
    target = module(hs.db, hs.course, key)
    for user in users:
        hs.db.add(ModuleCompletion(user_id=user.id, module_id=target.id, course_id=hs.course.id))
    hs.db.flush()


def _text(page: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)))


# --- delete ---------------------------------------------------------------------------------


def test_deleting_a_module_says_what_is_lost_then_deletes_it_for_students_too(
    client: TestClient, hs: Course101
):
    other = make_user(hs.db)
    enrol_as(hs.db, hs.course, other, CourseRole.STUDENT)
    _completed(hs, "blocks", hs.student, other)
    blocks = module(hs.db, hs.course, "blocks")
    sign_in(client, hs.teacher.email)

    confirm = client.get(f"/modules/{blocks.id}/delete")
    deleted = client.post(
        f"/modules/{blocks.id}/delete",
        data={"csrf_token": page_csrf(client, f"/modules/{blocks.id}/delete")},
        follow_redirects=False,
    )
    client.cookies.clear()
    sign_in(client, hs.student.email)
    course_page = client.get(f"/courses/{hs.course.code}").text

    assert confirm.status_code == 200
    shown = _text(confirm.text)
    assert "2 completions recorded by learners" in shown
    assert "0 files" in shown
    assert "The prerequisite of: WHO on health financing" in shown
    assert deleted.status_code == 303
    assert deleted.headers["location"] == f"/courses/{hs.course.code}/edit?deleted=1"
    assert hs.db.scalar(select(Module.id).where(Module.id == blocks.id)) is None
    assert hs.db.scalar(select(func.count(ModuleCompletion.id))) == 0
    assert "The building blocks" not in course_page
    assert "Introduction" in course_page
    assert hs.edits()[-1] == ("module.deleted", "The building blocks", hs.teacher.id)


def test_deleting_a_section_lists_its_modules_files_and_completions(
    client: TestClient, hs: Course101
):
    _completed(hs, "intro", hs.student)
    first = hs.sections()[0]
    sign_in(client, hs.teacher.email)

    shown = _text(client.get(f"/sections/{first.id}/delete").text)
    answer = client.post(
        f"/sections/{first.id}/delete",
        data={"csrf_token": page_csrf(client, f"/sections/{first.id}/delete")},
        follow_redirects=False,
    )

    assert "3 modules: Introduction, The building blocks, Glossary" in shown
    assert "1 completion recorded by learners" in shown
    assert "1 file: glossary.txt" in shown
    assert "The prerequisite of: WHO on health financing" in shown
    assert answer.status_code == 303
    assert [s.title for s in hs.sections()] == ["Week 2 — Financing"]
    assert hs.db.scalar(select(func.count(Module.id)).where(Module.section_id == first.id)) == 0
    assert hs.edits()[-1] == ("section.deleted", "Week 1 — What a health system is", hs.teacher.id)


def test_a_student_may_neither_see_the_confirmation_nor_delete(client: TestClient, hs: Course101):
    blocks = module(hs.db, hs.course, "blocks")
    before = len(hs.edits())
    sign_in(client, hs.student.email)

    confirm = client.get(f"/modules/{blocks.id}/delete")
    refused = client.post(
        f"/modules/{blocks.id}/delete", data={"csrf_token": page_csrf(client, "/")}
    )
    api = client.delete(
        f"/api/v1/modules/{blocks.id}", headers=bearer(api_token(client, hs.student.email))
    )

    assert (confirm.status_code, refused.status_code, api.status_code) == (403, 403, 403)
    assert hs.db.scalar(select(Module.id).where(Module.id == blocks.id)) is not None
    assert len(hs.edits()) == before


def test_api_deletions_are_in_the_history(client: TestClient, hs: Course101):
    headers = bearer(api_token(client, hs.teacher.email))
    glossary = module(hs.db, hs.course, "glossary")
    second = hs.sections()[1]
    version = hs.version()

    assert client.delete(f"/api/v1/modules/{glossary.id}", headers=headers).status_code == 204
    assert client.delete(f"/api/v1/sections/{second.id}", headers=headers).status_code == 204

    assert hs.edits()[-2:] == [
        ("module.deleted", "Glossary", hs.teacher.id),
        ("section.deleted", "Week 2 — Financing", hs.teacher.id),
    ]
    assert hs.version() == version + 2


# --- edit -----------------------------------------------------------------------------------


def test_a_teacher_edits_every_field_of_a_module_and_the_student_reads_it(
    client: TestClient, hs: Course101
):
    blocks = module(hs.db, hs.course, "blocks")
    sign_in(client, hs.teacher.email)  # in Asia/Vientiane, UTC+7
    form = f"/modules/{blocks.id}/edit"
    before = client.get(form)

    saved = client.post(
        form,
        data={
            "csrf_token": csrf_in(before.text),
            "title": "Six building blocks",
            "body": "The **six** blocks, revised.",
            "url": "",
            "description": "Read it twice.",
            "completion_rule": "viewed",
            "available_from": "2026-01-05T09:00",
            "available_until": "",
            "requires": "",
            "is_open": "true",
        },
        follow_redirects=False,
    )
    hs.db.expire_all()
    changed = hs.db.get_one(Module, blocks.id)
    client.cookies.clear()
    sign_in(client, hs.student.email)
    read = client.get(f"/courses/{hs.course.code}/modules/{blocks.id}")

    assert before.status_code == 200
    assert 'value="intro"' in before.text  # its prerequisite, by key
    assert saved.status_code == 303
    assert changed.title == "Six building blocks"
    assert changed.available_from == datetime(2026, 1, 5, 2, 0, tzinfo=UTC)
    assert changed.required is False  # the box was left unticked
    assert changed.is_open is True
    assert changed.completion_rule.value == "viewed"
    assert hs.db.scalar(
        select(func.count()).where(ModulePrerequisite.module_id == blocks.id)
    ) == 0  # fmt: skip
    assert read.status_code == 200  # no longer locked behind the introduction
    assert "<strong>six</strong> blocks, revised." in read.text
    assert hs.edits()[-1] == ("module.updated", "Six building blocks", hs.teacher.id)


def csrf_in(page: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found is not None
    return found.group(1)


def test_the_edit_form_shows_the_window_in_the_editors_zone(client: TestClient, hs: Course101):
    blocks = module(hs.db, hs.course, "blocks")
    blocks.available_until = datetime(2026, 3, 1, 17, 0, tzinfo=UTC)
    hs.db.flush()
    sign_in(client, hs.teacher.email)

    page = client.get(f"/modules/{blocks.id}/edit").text

    assert 'value="2026-03-02T00:00"' in page
    assert "Asia/Vientiane" in page


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"title": ""}, "title", "This field is required."),
        ({"available_from": "next week"}, "available_from", "Give a date and a time."),
        ({"requires": "no-such-module"}, "requires", "No module of this course has the key"),
        ({"requires": "who-link"}, "requires", ""),  # a cycle: who-link requires blocks
    ],
)
def test_a_refused_module_edit_says_why_and_changes_nothing(
    client: TestClient, hs: Course101, change: dict[str, str], field: str, message: str
):
    blocks = module(hs.db, hs.course, "blocks")
    version, edits = hs.version(), hs.edits()
    sign_in(client, hs.teacher.email)
    form = f"/modules/{blocks.id}/edit"
    data = {
        "csrf_token": page_csrf(client, form), "title": "Renamed", "body": "New body",
        "completion_rule": "manual", "required": "true", "requires": "intro", **change,
    }  # fmt: skip

    answer = client.post(form, data=data)

    hs.db.expire_all()
    assert answer.status_code == 400
    assert re.search(rf'id="{field}"[^>]*aria-invalid="true"', answer.text)
    assert message in html.unescape(answer.text)
    assert hs.db.get_one(Module, blocks.id).title == "The building blocks"
    assert hs.version() == version
    assert hs.edits() == edits


def test_a_link_keeps_an_address(client: TestClient, hs: Course101):
    link = module(hs.db, hs.course, "who-link")
    headers = bearer(api_token(client, hs.teacher.email))

    answer = client.patch(f"/api/v1/modules/{link.id}", headers=headers, json={"url": None})

    assert answer.status_code == 422
    assert answer.json()["errors"][0]["field"] == "url"
    hs.db.expire_all()
    assert (
        hs.db.get_one(Module, link.id).url == "https://www.who.int/health-topics/health-financing"
    )


def test_a_teacher_renames_a_section(client: TestClient, hs: Course101):
    second = hs.sections()[1]
    sign_in(client, hs.teacher.email)
    form = f"/sections/{second.id}/edit"

    shown = client.get(form)
    saved = client.post(
        form,
        data={"csrf_token": csrf_in(shown.text), "title": "Week 2 — Paying for care",
              "summary": "Who pays, and how."},
        follow_redirects=False,
    )  # fmt: skip
    refused = client.post(form, data={"csrf_token": csrf_in(shown.text), "title": ""})

    hs.db.expire_all()
    assert "Week 2 — Financing" in shown.text
    assert saved.status_code == 303
    assert refused.status_code == 400
    assert "This field is required." in refused.text
    assert (second.title, second.summary) == ("Week 2 — Paying for care", "Who pays, and how.")
    assert hs.edits()[-1] == ("section.updated", "Week 2 — Paying for care", hs.teacher.id)


# --- files ----------------------------------------------------------------------------------


def test_replacing_a_file_keeps_its_name_and_leaves_the_old_content_for_gc(
    client: TestClient, hs: Course101
):
    glossary = module(hs.db, hs.course, "glossary")
    old_sha = hs.db.scalar(
        select(ContentFile.sha256).join(ModuleFile).where(ModuleFile.module_id == glossary.id)
    )
    sign_in(client, hs.teacher.email)
    form = f"/modules/{glossary.id}/edit"
    page = client.get(form).text

    replaced = client.post(
        f"/modules/{glossary.id}/files/glossary.txt/replace",
        data={"csrf_token": csrf_in(page)},
        files={"file": ("anything.txt", b"Glossary, second edition")},
        follow_redirects=False,
    )
    download = client.get(f"/modules/{glossary.id}/files/glossary.txt")
    old_still_stored = any(path.name == old_sha for path in stored_files(hs.settings))
    collected = collect_garbage(hs.db, storage_for(hs.settings), timedelta(0))

    assert f'action="/modules/{glossary.id}/files/glossary.txt/replace"' in page
    assert replaced.status_code == 303
    assert download.content == b"Glossary, second edition"
    names = hs.db.scalars(select(ModuleFile.name).where(ModuleFile.module_id == glossary.id))
    assert names.all() == ["glossary.txt"]
    assert old_still_stored
    assert old_sha in collected
    assert hs.edits()[-1] == ("file.replaced", "Glossary: glossary.txt", hs.teacher.id)


def test_a_replacement_whose_content_does_not_match_the_name_is_refused(
    client: TestClient, hs: Course101
):
    glossary = module(hs.db, hs.course, "glossary")
    sign_in(client, hs.teacher.email)
    edits = hs.edits()
    program = b"\x7fELF\x02\x01\x01" + bytes(64)

    answer = client.post(
        f"/modules/{glossary.id}/files/glossary.txt/replace",
        data={"csrf_token": page_csrf(client, f"/modules/{glossary.id}/edit")},
        files={"file": ("glossary.txt", program)},
    )

    assert answer.status_code == 400
    assert 'role="alert"' in answer.text
    assert client.get(f"/modules/{glossary.id}/files/glossary.txt").content.startswith(b"UHC")
    assert hs.edits() == edits


def test_a_file_is_removed_from_the_portal_and_through_the_api(client: TestClient, hs: Course101):
    glossary = module(hs.db, hs.course, "glossary")
    headers = bearer(api_token(client, hs.teacher.email))
    client.post(
        f"/api/v1/modules/{glossary.id}/files",
        headers=headers,
        files={"file": ("terms.txt", b"more terms")},
    )
    sign_in(client, hs.teacher.email)

    removed = client.post(
        f"/modules/{glossary.id}/files/glossary.txt/remove",
        data={"csrf_token": page_csrf(client, f"/modules/{glossary.id}/edit")},
        follow_redirects=False,
    )
    remaining = hs.db.scalars(select(ModuleFile).where(ModuleFile.module_id == glossary.id)).all()
    gone = client.delete(f"/api/v1/modules/{glossary.id}/files/terms.txt", headers=headers)
    again = client.delete(f"/api/v1/modules/{glossary.id}/files/terms.txt", headers=headers)

    assert removed.status_code == 303
    assert [(f.name, f.position) for f in remaining] == [("terms.txt", 0)]
    assert gone.status_code == 204
    assert again.status_code == 404
    assert client.get(f"/modules/{glossary.id}/files/glossary.txt").status_code == 404
    assert [e[0] for e in hs.edits()[-3:]] == ["file.added", "file.removed", "file.removed"]


def test_a_deleted_modules_content_is_left_for_gc_unless_another_module_uses_it(
    client: TestClient, hs: Course101
):
    glossary = module(hs.db, hs.course, "glossary")
    headers = bearer(api_token(client, hs.teacher.email))
    client.post(
        f"/api/v1/modules/{glossary.id}/files",
        headers=headers,
        files={"file": ("own.txt", b"only here")},
    )
    copy = client.post(f"/api/v1/modules/{glossary.id}/duplicate", headers=headers).json()
    shas = dict(
        hs.db.execute(
            select(ModuleFile.name, ContentFile.sha256)
            .join(ContentFile)
            .where(ModuleFile.module_id == glossary.id)
        ).all()
    )
    client.delete(f"/api/v1/modules/{copy['id']}/files/own.txt", headers=headers)

    deleted = client.delete(f"/api/v1/modules/{glossary.id}", headers=headers)
    collected = collect_garbage(hs.db, storage_for(hs.settings), timedelta(0))

    assert deleted.status_code == 204
    assert shas["own.txt"] in collected
    assert shas["glossary.txt"] not in collected  # the copy still has it
    still = client.get(f"/api/v1/modules/{copy['id']}/files/glossary.txt", headers=headers)
    assert still.content.startswith(b"UHC")


# --- duplicate and move ---------------------------------------------------------------------


def test_duplicating_a_module_copies_it_as_a_draft_right_after_the_original(
    client: TestClient, hs: Course101
):
    headers = bearer(api_token(client, hs.teacher.email))
    blocks = module(hs.db, hs.course, "blocks")
    glossary = module(hs.db, hs.course, "glossary")
    russian = {"title": "Составляющие", "body": "Шесть составляющих."}
    client.put(f"/api/v1/modules/{blocks.id}/translations/ru", json=russian, headers=headers)
    version = hs.version()

    first = client.post(f"/api/v1/modules/{blocks.id}/duplicate", headers=headers)
    second = client.post(f"/api/v1/modules/{blocks.id}/duplicate", headers=headers)
    files = client.post(f"/api/v1/modules/{glossary.id}/duplicate", headers=headers).json()
    student = bearer(api_token(client, hs.student.email))
    outline = client.get(f"/api/v1/courses/{hs.course.id}/outline", headers=student).json()

    assert first.status_code == 201
    copy = first.json()
    assert (copy["key"], copy["title"], copy["status"]) == (
        "blocks-copy", "The building blocks (copy)", "draft",
    )  # fmt: skip
    assert copy["body_html"] == blocks.body_html
    assert second.json()["key"] == "blocks-copy-2"
    assert hs.keys_of(hs.sections()[0]) == [
        "intro", "blocks", "blocks-copy-2", "blocks-copy", "glossary", "glossary-copy",
    ]  # fmt: skip
    required = hs.db.scalars(
        select(Module.key)
        .join(ModulePrerequisite, ModulePrerequisite.required_module_id == Module.id)
        .where(ModulePrerequisite.module_id == copy["id"])
    ).all()
    assert required == ["intro"]
    copied = client.get(f"/api/v1/modules/{copy['id']}?language=ru", headers=headers).json()
    assert (copied["language"], copied["title"]) == ("ru", "Составляющие")
    assert hs.db.scalars(
        select(ModuleFile.name).where(ModuleFile.module_id == files["id"])
    ).all() == ["glossary.txt"]  # fmt: skip
    seen = [m["key"] for s in outline["sections"] for m in s["modules"]]
    assert "blocks-copy" not in seen  # drafts
    assert "glossary-copy" not in seen
    assert hs.version() == version + 3
    assert hs.edits()[-1] == ("module.duplicated", "Glossary (copy)", hs.teacher.id)


def test_duplicating_from_the_portal_opens_the_copy(client: TestClient, hs: Course101):
    intro = module(hs.db, hs.course, "intro")
    sign_in(client, hs.teacher.email)

    answer = client.post(
        f"/modules/{intro.id}/duplicate",
        data={"csrf_token": page_csrf(client, f"/modules/{intro.id}/edit")},
        follow_redirects=False,
    )
    page = client.get(answer.headers["location"])

    copy = module(hs.db, hs.course, "intro-copy")
    assert answer.headers["location"] == f"/modules/{copy.id}/edit?duplicated=1"
    assert copy.status is Status.DRAFT
    assert "Introduction (copy)" in page.text
    assert "kept as a draft" in page.text


def test_the_copy_of_a_module_of_a_french_course_reads_french(db: Session, settings: Settings):
    course = import_hs101(db, settings, code="HS-FR")
    course.language = "fr"
    db.flush()

    copy = editing.duplicate_module(db, SYSTEM, module(db, course, "intro").id)

    assert copy.title == "Introduction (copie)"


def test_moving_a_module_to_another_section_and_down_renumbers_both(
    client: TestClient, hs: Course101
):
    first, second = hs.sections()
    intro = module(hs.db, hs.course, "intro")
    sign_in(client, hs.teacher.email)
    token = page_csrf(client, f"/modules/{intro.id}/edit")

    moved = client.post(
        f"/modules/{intro.id}/section",
        data={"csrf_token": token, "section_id": str(second.id)},
        follow_redirects=False,
    )
    blocks = module(hs.db, hs.course, "blocks")
    down = client.post(
        f"/modules/{blocks.id}/move", data={"csrf_token": token, "position": "1"},
        follow_redirects=False,
    )  # fmt: skip
    hs.db.expire_all()
    edit_page = client.get(f"/courses/{hs.course.code}/edit").text

    assert (moved.status_code, down.status_code) == (303, 303)
    assert hs.keys_of(first) == ["glossary", "blocks"]
    assert [m.position for m in hs.db.scalars(
        select(Module).where(Module.section_id == first.id).order_by(Module.position))
    ] == [0, 1]  # fmt: skip
    assert hs.keys_of(second) == ["who-link", "webinar", "intro"]
    assert f'action="/modules/{blocks.id}/move"' in edit_page
    assert [e[:2] for e in hs.edits()[-2:]] == [
        ("module.moved", "Introduction"),
        ("module.moved", "The building blocks"),
    ]


def test_a_module_cannot_move_to_another_courses_section(client: TestClient, hs: Course101):
    other = import_hs101(hs.db, hs.settings, code="HS-OTHER")
    enrol_as(hs.db, other, hs.teacher, CourseRole.TEACHER)
    foreign = hs.db.scalar(select(Section.id).where(Section.course_id == other.id))
    intro = module(hs.db, hs.course, "intro")
    headers = bearer(api_token(client, hs.teacher.email))

    answer = client.patch(
        f"/api/v1/modules/{intro.id}", headers=headers, json={"section_id": foreign}
    )

    assert answer.status_code == 422
    assert answer.json()["errors"][0]["field"] == "section_id"
    hs.db.expire_all()
    assert (
        hs.db.get_one(Module, intro.id).section_id == module(hs.db, hs.course, "blocks").section_id
    )


def test_an_api_move_raises_the_version_and_the_outline_follows(client: TestClient, hs: Course101):
    headers = bearer(api_token(client, hs.teacher.email))
    _, second = hs.sections()
    intro = module(hs.db, hs.course, "intro")
    outline = f"/api/v1/courses/{hs.course.id}/outline"
    client.get(outline, headers=headers)  # cached at this version
    version = hs.version()

    moved = client.patch(
        f"/api/v1/modules/{intro.id}", headers=headers,
        json={"section_id": second.id, "position": 0},
    )  # fmt: skip
    after = client.get(outline, headers=headers).json()

    assert moved.status_code == 200
    assert (moved.json()["section_id"], moved.json()["position"]) == (second.id, 0)
    assert [m["key"] for m in after["sections"][1]["modules"]] == ["intro", "who-link", "webinar"]
    assert after["course"]["version"] == version + 1
    assert hs.edits()[-1] == ("module.moved", "Introduction", hs.teacher.id)


# --- history --------------------------------------------------------------------------------


def test_the_history_lists_who_changed_what_newest_first_fifty_a_page(
    client: TestClient, hs: Course101
):
    headers = bearer(api_token(client, hs.teacher.email))
    second = hs.sections()[1]
    for n in range(52):
        client.patch(f"/api/v1/sections/{second.id}", headers=headers, json={"summary": f"v{n}"})
    sign_in(client, hs.teacher.email)

    first_page = client.get(f"/api/v1/courses/{hs.course.id}/history", headers=headers).json()
    older = client.get(
        f"/api/v1/courses/{hs.course.id}/history",
        headers=headers,
        params={"cursor": first_page["next_cursor"]},
    ).json()
    page = client.get(f"/courses/{hs.course.code}/history")
    older_page = client.get(f"/courses/{hs.course.code}/history?cursor={first_page['next_cursor']}")

    newest = first_page["items"][0]
    assert len(first_page["items"]) == 50
    assert (newest["action"], newest["subject"], newest["by"]) == (
        "section.updated", "Week 2 — Financing", "Amina Benali",
    )  # fmt: skip
    assert newest["version"] == hs.version()
    versions = [item["version"] for item in first_page["items"] + older["items"]]
    assert versions == sorted(versions, reverse=True)
    assert older["items"][-1]["action"] == "course.created"  # by the import
    assert page.status_code == 200
    assert page.text.count("section changed") == 50
    assert "Amina Benali" in page.text
    assert "Older edits" in page.text
    assert "Older edits" not in older_page.text or older["next_cursor"]


@pytest.mark.parametrize(
    ("role", "api", "page"),
    [
        (CourseRole.STUDENT, 403, 403),
        (CourseRole.TUTOR, 403, 403),
        (CourseRole.OBSERVER, 403, 403),
        (None, 403, 403),  # HS-101 is open: anyone signed in sees it, not its history
    ],
)
def test_the_history_is_not_for_students_tutors_or_outsiders(
    client: TestClient, hs: Course101, role: CourseRole | None, api: int, page: int
):
    reader = make_user(hs.db, email="reader@example.org", password=PASSWORD)
    if role is not None:
        enrol_as(hs.db, hs.course, reader, role)
    headers = bearer(api_token(client, reader.email))
    sign_in(client, reader.email)

    assert client.get(f"/api/v1/courses/{hs.course.id}/history", headers=headers).status_code == api
    assert client.get(f"/courses/{hs.course.code}/history").status_code == page


def test_a_manager_reads_the_history_and_sees_the_platforms_own_edits(
    client: TestClient, hs: Course101
):
    make_user(hs.db, email="boss@example.org", password=PASSWORD, role=PlatformRole.MANAGER)
    sign_in(client, "boss@example.org")

    page = client.get(f"/courses/{hs.course.code}/history")

    assert page.status_code == 200
    assert "course published" in page.text
    assert "Agora (the platform)" in page.text  # the import ran as the platform itself


def test_every_edit_raises_the_version_once_and_writes_one_entry(client: TestClient, hs: Course101):
    headers = bearer(api_token(client, hs.teacher.email))
    intro = module(hs.db, hs.course, "intro")
    glossary = module(hs.db, hs.course, "glossary")
    first, second = hs.sections()
    c = f"/api/v1/courses/{hs.course.id}"
    calls = [
        ("patch", c, {"json": {"summary": "New summary"}}, "course.updated"),
        ("post", c + "/sections", {"json": {"title": "Week 3"}}, "section.created"),
        ("patch", f"/api/v1/sections/{second.id}", {"json": {"position": 0}}, "section.moved"),
        ("post", f"/api/v1/sections/{first.id}/modules",
         {"json": {"key": "new", "kind": "page", "title": "New"}}, "module.created"),
        ("patch", f"/api/v1/modules/{intro.id}", {"json": {"title": "Intro"}}, "module.updated"),
        ("post", f"/api/v1/modules/{glossary.id}/files",
         {"files": {"file": ("g.txt", b"g")}}, "file.added"),
        ("post", f"/api/v1/modules/{glossary.id}/files",
         {"files": {"file": ("g.txt", b"h")}}, "file.replaced"),
        ("put", c + "/prerequisites", {"json": []}, "course.prerequisites"),
    ]  # fmt: skip
    for method, path, kwargs, action in calls:
        version, count = hs.version(), len(hs.edits())

        answer = client.request(method, path, headers=headers, **kwargs)

        assert answer.status_code in (200, 201), (path, answer.text)
        assert hs.version() == version + 1, action
        assert len(hs.edits()) == count + 1, action
        assert hs.edits()[-1][0] == action
