"""Progress toward a programme, computed from the ledger and the programme's rules: each course
counted once whatever its source (capitalisation), recognition and transfer counted, revoked
entries gone, compensation within a unit, the courses still to take per semester, and
eligibility only when every rule is met."""

from decimal import Decimal

import pytest
from sqlalchemy.orm import Session

from app.courses.models import Programme, ProgrammeCourse, ProgrammeKind
from app.credits.models import EntryKind, EntrySource
from app.credits.service import ledger
from app.credits.service.progress import COMPENSATED, EARNED, MISSING, PlanView, compute
from app.webinars.models import AttendanceStatus
from app.webinars.schemas import AttendanceUpdate
from app.webinars.service import marking
from tests.conftest import QueryCounter
from tests.credits.progress_world import ProgressWorld, progress_world
from tests.webinars.conftest import Classroom, classroom  # noqa: F401  (a course with seminars)

D = Decimal


@pytest.fixture
def w(db: Session) -> ProgressWorld:
    world = progress_world(db)
    world.add_course("QM", "5", 1)
    world.add_course("HS", "5", 1)
    world.add_course("ENT", "5", 2)
    world.add_course("SD", "5", 2)
    return world


def _status(progress, code: str) -> str:
    return next(s.status for s in progress.courses if s.code == code)


def test_earned_courses_add_up_and_the_rest_is_missing(w: ProgressWorld):
    alice = w.learner()
    w.award(alice, "QM")
    w.award(alice, "ENT")

    progress = compute(w.db, alice.id, w.programme)

    assert (progress.required, progress.earned) == (D(20), D(10))
    assert [(s.code, s.status) for s in progress.courses] == [
        ("QM", EARNED), ("HS", MISSING), ("ENT", EARNED), ("SD", MISSING),
    ]  # fmt: skip
    assert {c: [s.code for s in cs] for c, cs in progress.to_take().items()} == {
        1: ["HS"], 2: ["SD"],
    }  # fmt: skip
    assert not progress.eligible


def test_a_course_credited_twice_counts_once(w: ProgressWorld):
    alice = w.learner()
    first = w.award(alice, "QM")
    w.award(alice, "QM")  # a second pass of the same course
    w.award(alice, "QM", source=EntrySource.RECOGNITION)  # and a recognition of it

    progress = compute(w.db, alice.id, w.programme)

    assert progress.earned == D(5)
    assert next(s.entry for s in progress.courses if s.code == "QM") is first
    assert progress.other_entries == ()


def test_recognised_and_transferred_units_count_toward_the_total(w: ProgressWorld):
    alice = w.learner()
    w.award(alice, "QM", source=EntrySource.RECOGNITION)  # VAE mapped to a home course
    w.award(alice, "HS", source=EntrySource.TRANSFER)  # a host's course mapped to HS
    recognised = w.award_unit(alice, "EXP-1", "3", EntrySource.RECOGNITION)
    transferred = w.award_unit(alice, "KZ-101", "4", EntrySource.TRANSFER)
    w.award_unit(alice, "OTHER", "6", EntrySource.COURSE_RESULT)  # not a recognised unit

    progress = compute(w.db, alice.id, w.programme)

    assert (_status(progress, "QM"), _status(progress, "HS")) == (EARNED, EARNED)
    assert set(progress.other_entries) == {recognised, transferred}
    assert progress.earned == D(5 + 5 + 3 + 4)
    assert list(progress.to_take()) == [2]


def test_a_revoked_entry_disappears_from_progress_but_stays_in_the_history(w: ProgressWorld):
    alice = w.learner()
    entry = w.award(alice, "QM")
    w.revoke(entry)

    progress = compute(w.db, alice.id, w.programme)

    assert _status(progress, "QM") == MISSING
    assert progress.earned == D(0)
    kinds = [e.kind for e in ledger.history(w.db, alice.id)]
    assert kinds == [EntryKind.AWARD, EntryKind.REVOCATION]


def test_a_unit_average_over_the_threshold_compensates_its_failed_course(w: ProgressWorld):
    w.set_rules(
        compensation_units=[
            {"code": "S1", "title": "Semester 1", "semester": 1, "threshold_percent": "50",
             "courses": ["QM", "HS"]},
        ]
    )  # fmt: skip
    alice, bob = w.learner(), w.learner()
    w.award(alice, "QM", percent="80")
    w.result(alice, "HS", "30")  # failed, but (80 + 30) / 2 = 55 % ≥ 50 %
    w.award(bob, "QM", percent="60")
    w.result(bob, "HS", "30")  # (60 + 30) / 2 = 45 %: not compensated

    for_alice = compute(w.db, alice.id, w.programme)
    for_bob = compute(w.db, bob.id, w.programme)

    assert _status(for_alice, "HS") == COMPENSATED
    assert for_alice.earned == D(10)
    assert "HS" not in [s.code for cs in for_alice.to_take().values() for s in cs]
    assert _status(for_bob, "HS") == MISSING
    assert for_bob.earned == D(5)


def test_the_average_is_weighted_by_credits(db: Session):
    w = progress_world(db)
    w.add_course("BIG", "9", 1)
    w.add_course("SMALL", "1", 1)
    w.set_rules(
        compensation_units=[
            {"code": "U", "title": "Unit", "threshold_percent": "50", "courses": ["BIG", "SMALL"]}
        ]
    )
    alice = w.learner()
    w.award(alice, "SMALL", percent="100")
    w.result(alice, "BIG", "40")  # (9 × 40 + 1 × 100) / 10 = 46 %, not the plain mean 70 %

    assert _status(compute(db, alice.id, w.programme), "BIG") == MISSING


def test_no_compensation_without_a_result_for_every_course_of_the_unit(w: ProgressWorld):
    w.set_rules(
        compensation_units=[
            {"code": "S2", "title": "Semester 2", "threshold_percent": "50",
             "courses": ["ENT", "SD"]},
        ]
    )  # fmt: skip
    alice = w.learner()
    w.result(alice, "ENT", "90")  # no result at all for SD yet

    progress = compute(w.db, alice.id, w.programme)

    assert (_status(progress, "ENT"), _status(progress, "SD")) == (MISSING, MISSING)


def test_eligible_only_when_credits_mandatory_courses_electives_and_hours_are_met(db: Session):
    w = progress_world(db, ects="15")
    w.add_course("CORE", "5", 1)
    w.add_course("TRANS", "5", 1, mandatory=False)
    w.add_course("QUAL", "5", 2)
    w.add_course("SAFE", "5", 2)
    w.make_transversal("TRANS")  # the institution makes it mandatory anyway
    w.set_rules(
        elective_groups=[
            {"code": "TRACK", "title": "Quality or safety track", "min_credits": "5",
             "courses": ["QUAL", "SAFE"]},
        ]
    )  # fmt: skip
    w.programme.attendance_hours_required = D(0)
    alice = w.learner()
    w.award(alice, "CORE")
    w.award(alice, "QUAL")
    w.award_unit(alice, "EXP", "5", EntrySource.RECOGNITION)

    missing_transversal = compute(db, alice.id, w.programme)
    assert missing_transversal.earned == D(15)
    assert not missing_transversal.eligible
    assert missing_transversal.unmet == ("The mandatory course %(code)s is not earned yet.",)
    assert missing_transversal.reasons(str) == ["The mandatory course TRANS is not earned yet."]

    w.award(alice, "TRANS")
    done = compute(db, alice.id, w.programme)
    assert done.eligible
    assert done.unmet == ()
    assert [(e.code, e.earned, e.chosen) for e in done.electives] == [
        ("TRACK", D(5), (w.courses["QUAL"].id,))
    ]

    w.programme.attendance_hours_required = D(10)  # and no attendance at all
    assert compute(db, alice.id, w.programme).reasons(str) == ["0 of 10 contact hours attended."]


def test_an_elective_group_below_its_minimum_blocks_eligibility(db: Session):
    w = progress_world(db, ects="5")
    w.add_course("QUAL", "5", 1)
    w.add_course("SAFE", "5", 1)
    w.set_rules(
        elective_groups=[
            {"code": "TRACK", "title": "Track", "min_credits": "10", "courses": ["QUAL", "SAFE"]}
        ]
    )
    alice = w.learner()
    w.award(alice, "QUAL")

    progress = compute(db, alice.id, w.programme)

    assert progress.earned >= progress.required
    assert progress.reasons(str) == ["Elective group TRACK: 5 of 10 credits earned."]
    assert not progress.eligible


def test_the_plan_moves_courses_and_picks_the_electives_to_take(db: Session):
    w = progress_world(db)
    w.add_course("CORE", "5", 1)
    w.add_course("QUAL", "5", 2)
    w.add_course("SAFE", "5", 2)
    w.set_rules(
        elective_groups=[
            {"code": "TRACK", "title": "Track", "min_credits": "5", "courses": ["QUAL", "SAFE"]}
        ]
    )
    alice = w.learner()

    no_plan = compute(db, alice.id, w.programme)
    plan = PlanView(
        semesters={w.courses["CORE"].id: 2}, electives=frozenset({w.courses["SAFE"].id})
    )
    planned = compute(db, alice.id, w.programme, plan=plan)

    assert {k: [s.code for s in v] for k, v in no_plan.to_take().items()} == {1: ["CORE"]}
    assert {k: [s.code for s in v] for k, v in planned.to_take().items()} == {2: ["CORE", "SAFE"]}
    assert planned.electives[0].chosen == (w.courses["SAFE"].id,)


@pytest.mark.parametrize("size", [2, 6])
def test_progress_reads_a_fixed_number_of_queries(db: Session, queries: QueryCounter, size: int):
    w = progress_world(db, ects="60")
    codes = [f"C{i}" for i in range(size)]
    for code in codes:
        w.add_course(code, "5", 1)
    half = len(codes) // 2
    w.set_rules(
        compensation_units=[
            {"code": "U", "title": "Unit", "threshold_percent": "50", "courses": codes}
        ],
        elective_groups=[
            {"code": "E", "title": "Electives", "min_credits": "5", "courses": codes[:half]}
        ],
    )
    alice = w.learner()
    for code in codes[half:]:
        w.award(alice, code, percent="70")
    for code in codes[:half]:
        w.result(alice, code, "40")

    with queries:
        progress = compute(db, alice.id, w.programme)

    assert {s.status for s in progress.courses} == {EARNED, COMPENSATED}
    assert queries.count == 9


def test_contact_hours_come_from_counted_seminar_attendance(classroom: Classroom):  # noqa: F811
    programme = Programme(
        code="MBA-P", kind=ProgrammeKind.MBA, title="MBA", ects=D(0),
        attendance_hours_required=D(8),
    )  # fmt: skip
    programme.courses = [
        ProgrammeCourse(course_id=classroom.course.id, semester=1, position=0, mandatory=False)
    ]
    classroom.db.add(programme)
    seminar = classroom.schedule(
        kind="seminar", delivery="in_person", time_zone="Africa/Casablanca",
        starts_at=None, ends_at=None, attendance_threshold=85,
        days=[{"starts_at": "2026-10-05T09:00", "ends_at": "2026-10-05T17:00"}],
    )  # fmt: skip
    present, absent = classroom.students[:2]
    marking.set_attendance(
        classroom.db, classroom.teacher_actor, seminar.id, present.id,
        AttendanceUpdate(status=AttendanceStatus.PRESENT, sitting_id=seminar.sittings[0].id),
    )  # fmt: skip
    classroom.db.flush()

    attended = compute(classroom.db, present.id, programme)
    missed = compute(classroom.db, absent.id, programme)

    assert (attended.hours_required, attended.hours_attended) == (D(8), D(8))
    assert attended.eligible
    assert missed.hours_attended == D(0)
    assert missed.reasons(str) == ["0 of 8 contact hours attended."]
