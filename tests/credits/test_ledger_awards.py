"""Awards from course results: a released passing result earns the course's credits once, with
the grade on the course's national scale and its band in the grading table in force;
capitalisation (a later fail keeps them) and no double counting (programmes never count)."""

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from app.accounts.models import Institution
from app.core.actors import SYSTEM
from app.core.config import Settings
from app.courses.models import Programme, ProgrammeCourse, ProgrammeKind
from app.credits.models import (
    EntryKind,
    EntrySource,
)
from app.credits.service import ledger
from app.credits.service.awards import PERCENT_SCHEME, course_unit, national_grade, table_key
from app.credits.service.ledger import AwardedGrade
from app.grades.models import Scale
from app.grades.service import results
from tests.credits.ledger_world import LedgerWorld, ledger_world

D = Decimal
DAY = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def w(db: Session, settings: Settings) -> LedgerWorld:
    return ledger_world(db, settings)


def _scale(db: Session, code: str) -> Scale:
    scale = db.scalar(select(Scale).where(Scale.code == code).options(selectinload(Scale.levels)))
    assert scale is not None
    return scale


@pytest.mark.time_machine(DAY, tick=False)
def test_a_released_pass_earns_the_course_credits_with_the_grade_on_the_french_scale(
    w: LedgerWorld,
):
    alice = w.learner()
    w.release(alice, "72.5")

    [entry] = w.entries(alice)
    assert (entry.kind, entry.source, entry.source_id) == (
        EntryKind.AWARD,
        EntrySource.COURSE_RESULT,
        w.book.course.id,
    )
    assert entry.credits == D(6)
    assert (entry.grade, entry.grade_value, entry.scale_code) == ("14.5", D("14.5"), "fr-20")
    assert entry.percent == D("72.5")
    assert (entry.unit_code, entry.unit_title) == (w.book.course.code, w.book.course.title)
    assert entry.institution_id == w.book.home.id
    assert (entry.isced_code, entry.eqf_level) == ("0913", 6)
    assert (entry.term, entry.awarded_on) == ("2026-27", date(2026, 12, 1))
    assert (entry.by_user_id, entry.by_client_id) == (None, None)


def test_an_unreleased_passing_grade_earns_nothing(w: LedgerWorld):
    alice = w.learner()
    w.release(alice, "90", release=False)

    assert w.entries(alice) == []


def test_a_failing_result_earns_nothing(w: LedgerWorld):
    alice = w.learner()
    w.release(alice, "30")

    assert w.entries(alice) == []


def test_credits_stay_earned_after_a_later_fail_and_a_new_pass_writes_nothing(w: LedgerWorld):
    alice = w.learner()
    w.release(alice, "80")
    w.release(alice, "20")  # the teacher's later change fails the course
    w.release(alice, "95")  # and a new pass is computed again

    entries = w.entries(alice)
    assert len(entries) == 1
    assert entries[0].grade == "16"
    assert ledger.in_force(w.db, [alice.id])[alice.id] == entries


def test_a_course_without_credits_awards_nothing(w: LedgerWorld):
    w.book.course.ects = D(0)
    alice = w.learner()
    w.release(alice, "90")

    assert w.entries(alice) == []


def test_a_course_inside_a_programme_is_counted_once_and_the_programme_never(w: LedgerWorld):
    programme = Programme(code="LED-MAS", kind=ProgrammeKind.MASTER, title="M", ects=D(120))
    programme.courses = [ProgrammeCourse(course_id=w.book.course.id, semester=1)]
    w.db.add(programme)
    w.db.flush()
    alice = w.learner()
    w.release(alice, "75")
    results.recompute(w.db, w.book.course.id)

    in_force = ledger.in_force(w.db, [alice.id])[alice.id]
    assert [e.course_id for e in in_force] == [w.book.course.id]
    assert sum(e.credits for e in in_force) == D(6)
    assert len(w.entries(alice)) == 1


def test_the_institution_scale_applies_when_the_gradebook_names_none(w: LedgerWorld):
    results.root_category(w.db, w.book.course.id).scale_id = None
    w.db.get_one(Institution, w.book.home.id).grading_scale = "ru-5"
    alice = w.learner()
    w.release(alice, "81")

    [entry] = w.entries(alice)
    assert (entry.grade, entry.scale_code) == ("4", "ru-5")


def test_without_any_scale_the_percentage_is_the_grade(w: LedgerWorld):
    results.root_category(w.db, w.book.course.id).scale_id = None
    alice = w.learner()
    w.release(alice, "67.25")

    [entry] = w.entries(alice)
    assert (entry.grade, entry.grade_value, entry.scale_code) == ("67.25", D("67.25"), "percent")


def test_numeric_scales_round_to_the_nearest_half_point(db: Session, settings: Settings):
    ledger_world(db, settings)
    fr = _scale(db, "fr-20")

    assert national_grade(fr, D("72.5")).grade == "14.5"
    assert national_grade(fr, D("73.8")).grade == "15"
    assert national_grade(fr, D("71.2")).grade == "14"
    assert national_grade(fr, D("140")).grade == "20"  # an override beyond the maximum
    assert national_grade(None, D("55.555")) == AwardedGrade(
        "55.56", D("55.56"), PERCENT_SCHEME, D("55.555")
    )


def test_a_scale_of_labels_gives_the_level_reached(db: Session, settings: Settings):
    ledger_world(db, settings)
    acq = _scale(db, "fr-acq")

    grade = national_grade(acq, D("80"))

    assert (grade.grade, grade.value, grade.scale_code) == ("acquis", D(2), "fr-acq")
    assert table_key(acq, grade) == "acquis"


def test_the_table_key_of_points_is_the_whole_point_below(db: Session, settings: Settings):
    ledger_world(db, settings)
    fr = _scale(db, "fr-20")

    assert table_key(fr, national_grade(fr, D("72.5"))) == "14"
    assert table_key(fr, national_grade(fr, D("80"))) == "16"
    assert table_key(None, national_grade(None, D("67.9"))) == "67"


def test_the_band_comes_from_the_newest_table_of_the_reference_group(w: LedgerWorld):
    w.table(DAY - timedelta(days=400), [("16", "50", "50"), ("14", "50", "100")])
    newest = w.table(
        DAY, [("16", "10", "10"), ("15", "15", "25"), ("14", "30", "55"), ("10", "45", "100")]
    )
    alice = w.learner()
    w.release(alice, "72.5")

    [entry] = w.entries(alice)
    assert (entry.grading_table_id, entry.band_from, entry.band_to) == (
        newest.id,
        D("25"),
        D("55"),
    )


def test_no_band_without_a_table_row_for_the_grade(w: LedgerWorld):
    w.table(DAY, [("16", "100", "100")])
    alice = w.learner()
    w.release(alice, "72.5")

    [entry] = w.entries(alice)
    assert (entry.grading_table_id, entry.band_from, entry.band_to) == (None, None, None)


def test_credits_for_the_course_from_recognition_are_not_awarded_again(w: LedgerWorld):
    alice = w.learner()
    recognised = ledger.append(
        w.db, SYSTEM, course_unit(w.book.course), AwardedGrade("15", D(15), "fr-20"),
        user_id=alice.id, source=EntrySource.RECOGNITION, source_id=None, on=date(2026, 10, 1),
    )  # fmt: skip
    w.release(alice, "90")

    assert [e.id for e in w.entries(alice)] == [recognised.id]


def test_passing_the_course_after_a_partial_recognition_earns_all_its_credits(w: LedgerWorld):
    alice = w.learner()
    partial = replace(course_unit(w.book.course), credits=D(2))
    recognised = ledger.append(
        w.db, SYSTEM, partial, AwardedGrade(), user_id=alice.id,
        source=EntrySource.RECOGNITION, source_id=None, on=date(2026, 10, 1),
    )  # fmt: skip
    w.release(alice, "75")

    [in_force] = ledger.in_force(w.db, [alice.id])[alice.id]
    assert in_force.supersedes_id == recognised.id
    assert in_force.kind is EntryKind.CORRECTION
    assert (in_force.credits, in_force.grade) == (D(6), "15")
    assert [e.id for e in ledger.history(w.db, alice.id)] == [recognised.id, in_force.id]


def test_the_russian_scale_gives_only_its_whole_grades(db: Session, settings: Settings):
    ledger_world(db, settings)
    ru5 = _scale(db, "ru-5")

    assert national_grade(ru5, D(72)).grade == "4"  # хорошо from 70 %, not 3.5 points
    assert national_grade(ru5, D(69)).grade == "3"
    assert national_grade(ru5, D(90)).value == D(5)
