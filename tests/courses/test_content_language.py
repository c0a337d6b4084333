"""A course's own texts carry its language and direction; a module may have versions in other
languages, read in the reader's language where they exist, and completed once whichever."""

import io
import re
import zipfile
from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.core.actors import SYSTEM
from app.core.config import PROJECT_DIR, Settings
from app.courses.models import Course, CourseEdit, ModuleCompletion, ModuleTranslation, Section
from app.courses.schemas import CourseRunCreate, ModuleCreate, TranslationWrite
from app.courses.service import completion, content, courses, packages, translations
from app.membership.models import CourseRole
from tests.accounts.factories import PASSWORD, api_token, bearer, make_user, page_csrf, sign_in
from tests.conftest import QueryCounter
from tests.courses.factories import enrol_as, import_hs101, module

RU_TITLE = "Введение в системы здравоохранения"
RU_BODY = "Система здравоохранения — это **все организации**, люди и действия."


@pytest.fixture
def course(db: Session, settings: Settings) -> Course:
    return import_hs101(db, settings)


def _reader(client: TestClient, db: Session, course: Course, language: str) -> User:
    user = make_user(db, password=PASSWORD, language=language)
    enrol_as(db, course, user, CourseRole.STUDENT)
    sign_in(client, user.email)
    return user


def _translate(db: Session, course: Course, key: str = "intro", title: str = RU_TITLE) -> None:
    translations.save_translation(
        db, SYSTEM, module(db, course, key).id, "ru", TranslationWrite(title=title, body=RU_BODY)
    )
    db.flush()


def _h1(page: str) -> str:
    found = re.search(r"<h1[^>]*>.*?</h1>", page, re.S)
    assert found, page
    return found.group(0)


# --- item 7: the language and direction of content -------------------------------------------


def test_an_english_course_reads_left_to_right_in_english_inside_the_arabic_interface(
    client: TestClient, db: Session, course: Course
):
    _reader(client, db, course, "ar")
    intro = module(db, course, "intro")

    course_page = client.get(f"/courses/{course.code}").text
    module_page = client.get(f"/courses/{course.code}/modules/{intro.id}").text
    catalogue = client.get("/catalogue").text
    dashboard = client.get("/").text

    for page in (course_page, module_page, catalogue, dashboard):
        assert '<html lang="ar" dir="rtl">' in page
    assert _h1(course_page) == '<h1 lang="en" dir="ltr">Health systems in practice</h1>'
    assert re.search(r'<h2 id="section-\d+"(><span)? lang="en" dir="ltr">Week 1', course_page)
    assert re.search(r'lang="en" dir="ltr">Introduction</a>', course_page)
    assert _h1(module_page) == '<h1 lang="en" dir="ltr">Introduction</h1>'
    assert '<article class="content" lang="en" dir="ltr">' in module_page
    assert re.search(r'<h2 lang="en" dir="ltr"><a href="/courses/HS-101">', catalogue)
    assert re.search(r'<h3 lang="en" dir="ltr"><a href="/courses/HS-101">', dashboard)
    # The interface's own words stay Arabic: no English attribute on the progress or labels.
    assert not re.search(r'<progress[^>]*lang="en"', course_page)


def test_content_in_the_interface_language_carries_no_extra_attributes(
    client: TestClient, db: Session, course: Course
):
    _reader(client, db, course, "en")

    page = client.get(f"/courses/{course.code}").text

    assert _h1(page) == "<h1>Health systems in practice</h1>"
    assert 'lang="en" dir="ltr"' not in page.split("<main", 1)[1]


def test_an_arabic_course_reads_right_to_left_inside_the_french_interface(
    client: TestClient, db: Session, course: Course
):
    course.language = "ar"
    db.flush()
    _reader(client, db, course, "fr")

    page = client.get(f"/courses/{course.code}").text

    assert '<html lang="fr" dir="ltr">' in page
    assert _h1(page) == '<h1 lang="ar" dir="rtl">Health systems in practice</h1>'


# --- item 8: one course, several languages ---------------------------------------------------


def test_a_reader_gets_their_language_where_it_exists_and_may_switch(
    client: TestClient, db: Session, course: Course
):
    _translate(db, course)
    _reader(client, db, course, "ru")
    path = f"/courses/{course.code}/modules/{module(db, course, 'intro').id}"

    russian = client.get(path).text
    english = client.get(path + "?content=en").text

    assert _h1(russian) == f"<h1>{RU_TITLE}</h1>"
    assert "<strong>все организации</strong>" in russian
    assert '<html lang="ru" dir="ltr">' in russian
    # The switch names each language in itself, the other one a link.
    assert '<a href="?content=en" hreflang="en" lang="en" dir="ltr">English</a>' in russian
    assert '<strong aria-current="page">русский</strong>' in russian
    assert _h1(english) == '<h1 lang="en" dir="ltr">Introduction</h1>'
    assert '<article class="content" lang="en" dir="ltr">' in english
    assert re.search(r'<a href="\?content=ru" hreflang="ru">русский</a>', english)


def test_without_a_version_in_their_language_a_reader_gets_the_courses(
    client: TestClient, db: Session, course: Course
):
    _translate(db, course)
    _reader(client, db, course, "fr")
    intro = module(db, course, "intro")
    blocks = module(db, course, "blocks")

    french_reader = client.get(f"/courses/{course.code}/modules/{intro.id}").text
    unknown = client.get(f"/courses/{course.code}/modules/{intro.id}?content=zz").text
    untranslated = client.get(f"/courses/{course.code}/modules/{blocks.id}?content=ru")

    assert _h1(french_reader) == '<h1 lang="en" dir="ltr">Introduction</h1>'
    assert "русский" in french_reader  # but the Russian version is offered
    assert _h1(unknown) == '<h1 lang="en" dir="ltr">Introduction</h1>'
    assert untranslated.status_code in (200, 403)  # locked or not, never the Russian text
    assert RU_TITLE not in untranslated.text
    assert 'id="content-languages"' not in untranslated.text  # one language: no switch


def test_completion_is_counted_once_whichever_version_was_read(
    client: TestClient, db: Session, course: Course
):
    _translate(db, course)
    reader = _reader(client, db, course, "ru")
    intro = module(db, course, "intro")

    client.get(f"/courses/{course.code}/modules/{intro.id}")
    client.get(f"/courses/{course.code}/modules/{intro.id}?content=en")
    client.get(f"/courses/{course.code}/modules/{intro.id}?content=ru")

    completions = db.scalar(
        select(func.count()).where(
            ModuleCompletion.user_id == reader.id, ModuleCompletion.course_id == course.id
        )
    )
    assert completions == 1
    assert completion.progress(db, reader.id, course.id).completed_required == 1
    assert db.scalar(select(func.count()).select_from(ModuleTranslation)) == 1


def test_marking_done_returns_to_the_version_chosen(
    client: TestClient, db: Session, course: Course
):
    _translate(db, course, "blocks", "Строительные блоки")
    _reader(client, db, course, "ru")
    intro = module(db, course, "intro")
    blocks = module(db, course, "blocks")
    client.get(f"/courses/{course.code}/modules/{intro.id}")  # its prerequisite
    path = f"/courses/{course.code}/modules/{blocks.id}"
    form = client.get(path + "?content=en").text
    assert f'action="{path}/done?content=en"' in form

    done = client.post(
        f"{path}/done?content=en",
        data={"csrf_token": page_csrf(client, path)},
        follow_redirects=False,
    )

    assert done.status_code == 303
    assert done.headers["location"] == f"{path}?done=1&content=en"
    assert _h1(client.get(done.headers["location"]).text).endswith(">The building blocks</h1>")


def test_the_outline_shows_titles_in_the_readers_language_and_follows_changes(
    client: TestClient, db: Session, course: Course
):
    _reader(client, db, course, "ru")
    intro = module(db, course, "intro")
    page = f"/courses/{course.code}"
    assert ">Introduction</a>" in client.get(page).text  # the outline is now cached

    _translate(db, course)
    translated = client.get(page).text
    translations.save_translation(
        db, SYSTEM, intro.id, "ru", TranslationWrite(title="Введение, второе издание")
    )
    db.flush()
    changed = client.get(page).text
    translations.delete_translation(db, SYSTEM, intro.id, "ru")
    db.flush()
    removed = client.get(page).text

    assert f">{RU_TITLE}</a>" in translated
    assert ">Введение, второе издание</a>" in changed
    assert re.search(r'lang="en" dir="ltr">Introduction</a>', removed)
    # Untranslated modules keep the course's language, marked as such in the Russian page.
    assert re.search(r'lang="en" dir="ltr">The building blocks</(a|span)>', translated)
    actions = db.scalars(
        select(CourseEdit.action).where(CourseEdit.course_id == course.id).order_by(CourseEdit.id)
    ).all()
    assert actions[-3:] == ["translation.saved", "translation.saved", "translation.deleted"]


def test_the_course_page_costs_the_same_as_modules_and_translations_grow(
    client: TestClient, db: Session, settings: Settings, course: Course, queries: QueryCounter
):
    _reader(client, db, course, "ru")
    page = f"/courses/{course.code}"

    def count(cold: bool) -> int:
        if cold:
            completion.clear_course_shapes()
        with queries:
            assert client.get(page).status_code == 200
        return queries.count

    client.get(page)
    small = count(cold=False), count(cold=True)
    section_id = db.scalar(select(Section.id).where(Section.course_id == course.id))
    assert section_id is not None
    for n in range(8):
        added = content.add_module(
            db, SYSTEM, settings, section_id,
            ModuleCreate(key=f"extra-{n}", kind="page", title=f"Extra {n}", required=False),
        )  # fmt: skip
        for language in ("ru", "fr", "ar"):
            translations.save_translation(
                db, SYSTEM, added.id, language, TranslationWrite(title=f"{language} {n}")
            )
    _translate(db, course)
    db.flush()
    client.get(page)
    large = count(cold=False), count(cold=True)

    assert small == large
    assert ">ru 7</a>" in client.get(page).text


# --- the API ---------------------------------------------------------------------------------


def _teacher_headers(client: TestClient, db: Session, course: Course) -> dict[str, str]:
    teacher = make_user(db, password=PASSWORD)
    enrol_as(db, course, teacher, CourseRole.TEACHER)
    return bearer(api_token(client, teacher.email))


def test_api_puts_reads_and_deletes_a_translation(client: TestClient, db: Session, course: Course):
    headers = _teacher_headers(client, db, course)
    intro = module(db, course, "intro")
    url = f"/api/v1/modules/{intro.id}/translations/ru"

    created = client.put(url, json={"title": RU_TITLE, "body": RU_BODY}, headers=headers)
    replaced = client.put(url, json={"title": "Введение"}, headers=headers)
    russian = client.get(f"/api/v1/modules/{intro.id}?language=ru", headers=headers)
    own = client.get(f"/api/v1/modules/{intro.id}", headers=headers)
    missing = client.get(f"/api/v1/modules/{intro.id}?language=fr", headers=headers)
    deleted = client.delete(url, headers=headers)
    again = client.delete(url, headers=headers)

    assert created.status_code == 201, created.text
    assert created.json()["title"] == RU_TITLE
    assert "<strong>все организации</strong>" in created.json()["body_html"]
    assert replaced.status_code == 200
    assert replaced.json()["body_html"] == ""  # replaced whole, not merged
    assert russian.status_code == 200
    assert russian.json()["language"] == "ru"
    assert russian.json()["title"] == "Введение"
    assert [t["language"] for t in russian.json()["translations"]] == ["ru"]
    assert own.json()["language"] == "en"
    assert own.json()["title"] == "Introduction"
    assert missing.json()["language"] == "en"
    assert deleted.status_code == 204
    assert again.status_code == 404
    assert again.json()["code"] == "no_such_translation"
    assert client.get(f"/api/v1/modules/{intro.id}", headers=headers).json()["translations"] == []


def test_api_outline_gives_titles_in_the_language_asked_for(
    client: TestClient, db: Session, course: Course
):
    _translate(db, course)
    headers = _teacher_headers(client, db, course)

    def titles(query: str) -> list[tuple[str, str | None]]:
        answer = client.get(f"/api/v1/courses/{course.id}/outline{query}", headers=headers)
        assert answer.status_code == 200, answer.text
        return [(m["title"], m["language"]) for m in answer.json()["sections"][0]["modules"]]

    assert titles("?language=ru")[:2] == [(RU_TITLE, "ru"), ("The building blocks", None)]
    assert titles("")[0] == ("Introduction", None)
    assert titles("?language=fr")[0] == ("Introduction", None)


@pytest.mark.parametrize(
    ("language", "body", "code"),
    [
        ("en", {"title": "Intro"}, "translation_of_course_language"),
        ("zz", {"title": "Intro"}, "unknown_content_language"),
        ("ru", {"title": ""}, "validation_error"),
        ("ru", {"title": "T", "url": "https://example.org"}, "validation_error"),
    ],
)
def test_api_refuses_a_translation_it_cannot_keep(
    client: TestClient, db: Session, course: Course, language: str, body: dict, code: str
):
    headers = _teacher_headers(client, db, course)
    intro = module(db, course, "intro")

    answer = client.put(f"/api/v1/modules/{intro.id}/translations/{language}", json=body,
                        headers=headers)  # fmt: skip

    assert answer.status_code == 422, answer.text
    assert answer.json()["code"] == code
    assert db.scalar(select(func.count()).select_from(ModuleTranslation)) == 0


def test_a_student_may_read_but_not_write_translations(
    client: TestClient, db: Session, course: Course
):
    _translate(db, course)
    student = make_user(db, password=PASSWORD)
    enrol_as(db, course, student, CourseRole.STUDENT)
    headers = bearer(api_token(client, student.email))
    intro = module(db, course, "intro")

    read = client.get(f"/api/v1/modules/{intro.id}?language=ru", headers=headers)
    write = client.put(f"/api/v1/modules/{intro.id}/translations/ru", json={"title": "X"},
                       headers=headers)  # fmt: skip

    assert read.json()["title"] == RU_TITLE
    assert write.status_code == 403
    assert db.scalar(select(ModuleTranslation.title)) == RU_TITLE


# --- the teachers' page ----------------------------------------------------------------------


def test_a_teacher_adds_and_deletes_a_version_through_the_page(
    client: TestClient, db: Session, course: Course
):
    teacher = make_user(db, password=PASSWORD)
    enrol_as(db, course, teacher, CourseRole.TEACHER)
    sign_in(client, teacher.email)
    intro = module(db, course, "intro")
    page = f"/modules/{intro.id}/translations"
    assert f'href="{page}"' in client.get(f"/courses/{course.code}/modules/{intro.id}").text

    saved = client.post(
        page,
        data={"csrf_token": page_csrf(client, page), "language": "ar", "title": "مقدمة",
              "body": "نص", "description": ""},
        follow_redirects=False,
    )  # fmt: skip
    listed = client.get(saved.headers["location"]).text
    deleted = client.post(
        f"{page}/ar/delete", data={"csrf_token": page_csrf(client, page)}, follow_redirects=False
    )

    assert saved.status_code == 303
    assert '<span lang="ar" dir="rtl">مقدمة</span>' in listed
    assert "is saved" in listed
    assert deleted.status_code == 303
    assert db.scalar(select(func.count()).select_from(ModuleTranslation)) == 0


def test_a_student_cannot_open_the_translations_page(
    client: TestClient, db: Session, course: Course
):
    _reader(client, db, course, "en")
    intro = module(db, course, "intro")

    page = client.get(f"/modules/{intro.id}/translations")

    assert page.status_code == 403
    assert "/translations" not in client.get(f"/courses/{course.code}/modules/{intro.id}").text


# --- the package format ----------------------------------------------------------------------


def test_a_package_carries_translations_both_ways(db: Session, settings: Settings, course: Course):
    _translate(db, course)

    exported = packages.export_course(db, SYSTEM, settings, course.id)
    archive = zipfile.ZipFile(io.BytesIO(exported))
    manifest = archive.read("course.yaml").decode()
    copy = packages.import_course(
        db, SYSTEM, settings, packages.ZipSource(archive, 10**7), code="HS-101-RU"
    )
    db.flush()
    copied = module(db, copy, "intro")

    assert "translations:" in manifest
    assert "sections/00/intro.ru.md" in archive.namelist()
    assert archive.read("sections/00/intro.ru.md").decode() == RU_BODY
    version = db.scalar(select(ModuleTranslation).where(ModuleTranslation.module_id == copied.id))
    assert version is not None
    assert (version.language, version.title) == ("ru", RU_TITLE)
    assert "<strong>все организации</strong>" in version.body_html


def test_a_package_with_a_translation_in_the_courses_own_language_is_refused(
    settings: Settings, tmp_path
):
    (tmp_path / "course.yaml").write_text(
        "format: agora-course/1\ncode: T-1\ntitle: T\nlanguage: en\nsections:\n"
        "  - title: S\n    modules:\n      - key: a\n        kind: page\n        title: A\n"
        "        translations: {en: {title: B}}\n"
    )

    with pytest.raises(packages.PackageInvalid, match="translation in 'en'"):
        packages.read_manifest(packages.DirectorySource(tmp_path), settings)


def test_the_lmqs_quality_course_is_seeded_with_a_russian_version_of_every_module(
    settings: Settings,
):
    folder = PROJECT_DIR / "courses_seed" / "courses" / "LMQS-QM"

    manifest = packages.read_manifest(packages.DirectorySource(folder), settings)

    entries = [m for s in manifest.sections for m in s.modules]
    assert manifest.language == "en"
    assert all(set(m.translations) == {"ru"} for m in entries), [m.key for m in entries]
    for entry in entries:
        version = entry.translations["ru"]
        assert re.search("[а-яё]", version.title), entry.key
        if entry.body:
            assert version.body, entry.key
            text = (folder / version.body).read_text(encoding="utf-8")
            # The same page: as many sections and table rows as the English one.
            original = (folder / entry.body).read_text(encoding="utf-8")
            assert text.count("\n## ") == original.count("\n## "), entry.key
            assert text.count("\n|") == original.count("\n|"), entry.key


def test_a_run_copies_translations_and_deleting_a_module_deletes_them(db: Session, course: Course):
    _translate(db, course)
    run = courses.create_run(
        db, SYSTEM, course.id, CourseRunCreate(code="HS-101-B", starts_on=date(2027, 3, 1))
    )
    db.flush()
    copied = module(db, run, "intro")

    assert (
        db.scalar(select(ModuleTranslation.title).where(ModuleTranslation.module_id == copied.id))
        == RU_TITLE
    )

    content.delete_module(db, SYSTEM, module(db, course, "intro").id)
    db.flush()
    db.expire_all()

    assert db.scalar(select(func.count()).select_from(ModuleTranslation)) == 1  # the run's
