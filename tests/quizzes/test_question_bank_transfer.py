"""Import and export: Moodle XML and GIFT round-trips give the same questions, a file with
entities is refused cleanly, a broken GIFT file names its line, and a refused import writes
nothing."""

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.core.actors import SYSTEM
from app.core.config import Settings
from app.courses.models import Course
from app.membership.models import CourseRole
from app.quizzes.models import Question, QuestionType
from app.quizzes.service import transfer
from app.quizzes.service.bank import Entry, QuestionFilter, list_questions
from tests.accounts.factories import PASSWORD, api_token, bearer, make_user
from tests.courses.factories import enrol_as, import_hs101
from tests.quizzes.bank_factories import make_category, make_question
from tests.quizzes.test_question_types_more import MOODLE_EXAMPLE

EVERY_TYPE: dict[QuestionType, dict[str, Any]] = {
    QuestionType.TRUEFALSE: {
        "answer": False, "feedback_true": "No: it *is* not.", "feedback_false": "Right.",
    },
    QuestionType.MULTICHOICE: {
        "single": False, "shuffle": True,
        "choices": [
            {"text": "2", "fraction": "0.5", "feedback": "Prime."},
            {"text": "3", "fraction": "0.5", "feedback": "Prime too."},
            {"text": "4 {even} ~ #not = prime", "fraction": "-1", "feedback": "Even: 2 × 2."},
        ],
    },
    QuestionType.SHORTANSWER: {
        "case_sensitive": False,
        "answers": [
            {"text": "Vient*ne", "fraction": "1", "feedback": "Yes."},
            {"text": "Vientian", "fraction": "0.5", "feedback": "Nearly."},
        ],
    },
    QuestionType.NUMERICAL: {
        "answers": [
            {"value": "9.81", "tolerance": "0.05", "fraction": "1", "feedback": "Good."},
            {"value": "10", "tolerance": "0", "fraction": "0.5", "feedback": "Rounded."},
        ],
    },
    QuestionType.MATCHING: {
        "shuffle": True,
        "pairs": [
            {"question": "France", "answer": "Paris"},
            {"question": "Laos", "answer": "Vientiane"},
            {"question": "", "answer": "Berlin"},
        ],
    },
    QuestionType.ESSAY: {"grader_info": "Three *causes*.", "min_words": 50, "max_words": 300,
                         "response_template": "Causes:"},
}  # fmt: skip


@pytest.fixture
def course(db: Session, settings: Settings) -> Course:
    return import_hs101(db, settings)


def _fill(db: Session, course: Course, with_cloze: bool) -> None:
    week = make_category(db, course.id, "Week 1")
    part = make_category(db, course.id, "Part A/B", parent_id=week.id)
    for n, (qtype, definition) in enumerate(EVERY_TYPE.items()):
        make_question(
            db, course.id, name=f"{qtype.value} question", qtype=qtype, definition=definition,
            category_id=part.id if n % 2 else week.id, tags=["week-1", f"t{n}"],
            text=f"Line one of *{qtype.value}*:\n\nline two {{with braces}} = ~ #.",
        )  # fmt: skip
    if with_cloze:
        make_question(db, course.id, name="cloze question", qtype=QuestionType.CLOZE, definition={},
                      category_id=week.id, text=MOODLE_EXAMPLE)  # fmt: skip


def _described(db: Session, course: Course) -> list[tuple[Any, ...]]:
    from app.quizzes.service.categories import category_path

    paths = category_path(db, course.id)
    listing = list_questions(db, SYSTEM, course.id, QuestionFilter())
    entries: list[Entry] = listing.entries
    return sorted(
        (
            e.version.name, e.version.qtype, e.version.text_markdown,
            _ids_dropped(e.version.definition),
            e.version.general_feedback_markdown, paths[e.question.category_id],
            sorted(t.tag for t in e.question.tags),
        )
        for e in entries
    )  # fmt: skip


def _ids_dropped(definition: dict[str, Any]) -> dict[str, Any]:
    """Choice and pair ids are given again on import; everything else must be kept."""
    return {
        key: [{k: v for k, v in item.items() if k != "id"} for item in value]
        if isinstance(value, list) and value and isinstance(value[0], dict) and key != "gaps"
        else value
        for key, value in definition.items()
    }


@pytest.mark.parametrize(("fmt", "with_cloze"), [("xml", True), ("gift", False)])
def test_export_then_import_gives_the_same_questions(
    db: Session, settings: Settings, course: Course, fmt: transfer.Format, with_cloze: bool
):
    _fill(db, course, with_cloze)
    name, _, text = transfer.export_questions(db, SYSTEM, course.id, fmt)
    assert name.startswith(course.code)
    other = import_hs101(db, settings, code="HS-COPY")
    outcome = transfer.import_questions(db, SYSTEM, other.id, text.encode(), fmt, apply=True)
    assert outcome.applied
    assert set(outcome.categories_created) == {"Week 1", "Week 1/Part A//B"}
    original, copied = _described(db, course), _described(db, other)
    if fmt == "gift":  # GIFT holds no essay settings: only the essay's text comes back
        bare = {"response_template": "", "min_words": 0, "max_words": 0, "grader_info": ""}
        original = [(*o[:3], bare, *o[4:]) if o[1] is QuestionType.ESSAY else o for o in original]
    assert copied == original


def test_gift_export_names_the_cloze_questions_it_cannot_hold(db: Session, course: Course):
    _fill(db, course, with_cloze=True)
    _, _, text = transfer.export_questions(db, SYSTEM, course.id, "gift")
    assert "// cloze question: embedded answers (cloze) have no GIFT form." in text


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<quiz><question type="shortanswer"><name><text>&lol3;</text></name>
<questiontext><text>Q</text></questiontext>
<answer fraction="100"><text>a</text></answer></question></quiz>"""
EXTERNAL = b"""<?xml version="1.0"?><!DOCTYPE q [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<quiz><question type="essay"><name><text>&x;</text></name></question></quiz>"""


@pytest.mark.parametrize("data", [BILLION_LAUGHS, EXTERNAL, b"<quiz><question", b"<html/>"])
def test_malicious_or_broken_xml_is_refused_and_writes_nothing(
    db: Session, course: Course, data: bytes
):
    before = db.scalar(select(func.count()).select_from(Question))
    with pytest.raises(transfer.ImportRefused) as refused:
        transfer.import_questions(db, SYSTEM, course.id, data, "xml", apply=True)
    assert refused.value.field == "file"
    assert db.scalar(select(func.count()).select_from(Question)) == before


def test_a_broken_gift_file_names_its_line_and_writes_nothing(db: Session, course: Course):
    source = "// first\n::A:: fine {T}\n\n::B:: Capital? {=Paris ~Lyon\n\n::C:: {~a ~b}\n"
    with pytest.raises(transfer.ImportRefused) as unclosed:
        transfer.import_questions(db, SYSTEM, course.id, source.encode(), "gift", apply=True)
    assert unclosed.value.detail.startswith("Line 4: ")
    no_right = "::A:: fine {T}\n\n\n::C:: Which? {~a ~b}\n"
    with pytest.raises(transfer.ImportRefused) as invalid:
        transfer.import_questions(db, SYSTEM, course.id, no_right.encode(), "gift", apply=True)
    assert invalid.value.detail.startswith("Line 4: definition.choices")
    assert db.scalar(select(func.count()).select_from(Question)) == 0


def test_gift_reads_the_documented_forms(db: Session, course: Course):
    source = """$CATEGORY: $course$/top/Imported

// [tag:history]
::Grant:: Who is buried in Grant's tomb?{=Grant ~no one #Was true for 12 years ~Napoleon}

::Tomb:: Grant is buried in Grant's tomb.{FALSE#No one is buried there.#Right.}

::Pi:: What is pi to two decimals? {#3.14159:0.0005}

::Range:: A number between 1 and 5? {#1..5}

::Pairs:: Match. {=Canada -> Ottawa =Italy -> Rome =Japan -> Tokyo}

::Moon:: Two plus two equals {=four =4} and that is it.

::Essay:: Write about it. {}
"""
    outcome = transfer.import_questions(db, SYSTEM, course.id, source.encode(), "gift", apply=True)
    kinds = [d.qtype for d in outcome.drafts]
    assert kinds == [
        QuestionType.MULTICHOICE, QuestionType.TRUEFALSE, QuestionType.NUMERICAL,
        QuestionType.NUMERICAL, QuestionType.MATCHING, QuestionType.SHORTANSWER, QuestionType.ESSAY,
    ]  # fmt: skip
    grant, tomb, _, number_range, *_ = outcome.drafts
    assert grant.tags == ["history"]
    assert grant.definition["choices"][1]["feedback"] == "Was true for 12 years"
    assert tomb.definition == {"answer": False, "feedback_true": "No one is buried there.",
                               "feedback_false": "Right."}  # fmt: skip
    assert number_range.definition["answers"][0] == {
        "value": "3",
        "tolerance": "2",
        "fraction": "1",
        "feedback": "",
    }
    assert outcome.drafts[5].text == "Two plus two equals _____ and that is it."
    assert outcome.categories_created == ["Imported"]


def test_import_and_export_over_the_api(client: TestClient, db: Session, course: Course):
    teacher: User = make_user(db, email="t@example.org", password=PASSWORD)
    enrol_as(db, course, teacher, CourseRole.TEACHER)
    headers = bearer(api_token(client, teacher.email))
    gift = b"::Mekong:: The Mekong flows through Laos. {T}\n"
    url = f"/api/v1/courses/{course.id}/questions"
    dry = client.post(url + "/import", headers=headers, files={"file": ("q.gift", gift)},
                      data={"dry_run": "true"})  # fmt: skip
    assert dry.status_code == 200
    assert dry.json()["created"] == 0
    assert client.get(url, headers=headers).json()["total"] == 0
    done = client.post(url + "/import", headers=headers, files={"file": ("q.gift", gift)})
    assert done.json()["created"] == 1
    refused = client.post(
        url + "/import", headers=headers, files={"file": ("q.xml", BILLION_LAUGHS)}
    )
    assert refused.status_code == 422
    assert refused.json()["code"] == "import_refused"
    exported = client.get(url + "/export", headers=headers, params={"format": "xml"})
    assert exported.headers["content-disposition"].startswith("attachment")
    assert b'<question type="truefalse">' in exported.content
