"""The jury's rules at the service layer: independent marks, the mean and agreed rules, only
the chair (or a manager) releases, and every group member gets the released grade."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from sqlalchemy import select

from app.assignments.jury_schemas import JuryFinalInput, JuryMarkInput, JuryMemberCreate
from app.assignments.models import FinalGradeRule, Marking, MarkingState
from app.assignments.service import examiners, jury_final, jury_marks
from app.core.errors import Conflict, Forbidden, Invalid
from app.grades.models import Grade, GradeItem, ItemSource, Scale, ScaleLevel
from tests.assignments.jury_factories import Jury, make_jury


def _mark(j: Jury, who: str, points: str, comment: str = "") -> jury_marks.MarksView:
    user = {"teacher": j.teacher, "tutor": j.tutor, "examiner": j.examiner}[who]
    data = JuryMarkInput(points=Decimal(points), comment=comment)
    return jury_marks.enter_mark(j.db, j.actor(user), j.submission.id, data)


@pytest.fixture
def agreed(db, settings) -> Jury:
    j = make_jury(db, settings)
    j.db = db
    return j


@pytest.fixture
def mean(db, settings) -> Jury:
    j = make_jury(db, settings, rule=FinalGradeRule.MEAN)
    j.db = db
    return j


def test_a_marker_sees_no_other_mark_before_entering_their_own(agreed: Jury):
    _mark(agreed, "tutor", "14", "Solid diagnosis.")

    before = jury_marks.marks_of(agreed.db, agreed.actor(agreed.examiner), agreed.submission.id)
    assert before.mine is None
    assert before.marks is None
    after = _mark(agreed, "examiner", "16")
    assert after.marks is not None
    assert sorted(m.points for m in after.marks.values()) == [Decimal(14), Decimal(16)]


def test_the_mean_rule_computes_the_mean_once_everyone_has_marked(mean: Jury):
    _mark(mean, "teacher", "15")
    _mark(mean, "tutor", "14")
    chair = mean.actor(mean.teacher)
    with pytest.raises(Conflict):
        jury_final.decide(mean.db, chair, mean.submission.id, JuryFinalInput(release=True))
    _mark(mean, "examiner", "16.5")

    view = jury_final.decide(mean.db, chair, mean.submission.id, JuryFinalInput())
    assert view.decision is not None
    assert view.decision.points == Decimal("15.17")
    assert view.decision.released_at is None


def test_the_agreed_rule_needs_the_chairs_grade_and_reason(agreed: Jury):
    for who, points in (("teacher", "15"), ("tutor", "13"), ("examiner", "17")):
        _mark(agreed, who, points)
    chair = agreed.actor(agreed.teacher)
    with pytest.raises(Invalid) as refused:
        jury_final.decide(
            agreed.db, chair, agreed.submission.id, JuryFinalInput(points=Decimal(16))
        )
    assert refused.value.field == "reason"

    data = JuryFinalInput(points=Decimal(16), reason="Strong defence.", release=True)
    view = jury_final.decide(agreed.db, chair, agreed.submission.id, data)
    assert view.decision is not None
    assert view.decision.points == Decimal(16)


def test_only_the_chair_releases(agreed: Jury):
    for who in ("teacher", "tutor", "examiner"):
        _mark(agreed, who, "12")
    data = JuryFinalInput(points=Decimal(12), reason="Agreed.", release=True)
    for user in (agreed.tutor, agreed.examiner):
        with pytest.raises(Forbidden):
            jury_final.decide(agreed.db, agreed.actor(user), agreed.submission.id, data)
    assert (
        agreed.db.scalar(select(Marking).where(Marking.submission_id == agreed.submission.id))
        is None
    )


def test_every_group_member_gets_the_released_grade(agreed: Jury):
    for who in ("teacher", "tutor", "examiner"):
        _mark(agreed, who, "15")
    data = JuryFinalInput(points=Decimal("15.5"), reason="Agreed.", feedback="Bravo.", release=True)
    jury_final.decide(agreed.db, agreed.actor(agreed.teacher), agreed.submission.id, data)

    item = agreed.db.scalar(
        select(GradeItem).where(
            GradeItem.source == ItemSource.ASSIGNMENT, GradeItem.source_id == agreed.assignment.id
        )
    )
    assert item is not None
    grades = agreed.db.scalars(select(Grade).where(Grade.item_id == item.id)).all()
    assert {g.user_id: g.points for g in grades} == {u.id: Decimal("15.5") for u in agreed.learners}
    marking = agreed.db.scalar(select(Marking).where(Marking.submission_id == agreed.submission.id))
    assert marking is not None
    assert marking.state is MarkingState.RELEASED
    with pytest.raises(Conflict):
        _mark(agreed, "tutor", "10")


def test_a_learner_of_the_course_cannot_sit_on_its_jury(agreed: Jury, settings):
    data = JuryMemberCreate(email=agreed.learners[0].email)
    with pytest.raises(Invalid) as refused:
        examiners.add_member(
            agreed.db, agreed.actor(agreed.teacher), settings, agreed.assignment.id, data
        )
    assert refused.value.code == "learner_not_examiner"


@pytest.mark.time_machine(datetime(2026, 12, 10, 9, 0, tzinfo=UTC))
def test_the_released_jury_grade_bears_the_declared_late_penalty(db, settings):
    j = make_jury(
        db, settings, due_at=datetime(2026, 12, 1, 9, 0, tzinfo=UTC),
        late_penalty_percent_per_day=Decimal(5), late_penalty_cap_percent=Decimal(20),
    )  # fmt: skip
    j.db = db
    j.submission.submitted_at = datetime(2026, 12, 2, 8, 0, tzinfo=UTC)  # under a day late
    for who in ("teacher", "tutor", "examiner"):
        _mark(j, who, "16")
    data = JuryFinalInput(points=Decimal(16), reason="Agreed.", release=True)
    jury_final.decide(db, j.actor(j.teacher), j.submission.id, data)

    grades = db.scalars(select(Grade)).all()
    assert {g.points for g in grades} == {Decimal(15)}  # 16 less 5% of 20


def test_on_a_scale_the_mean_rule_gives_the_level_nearest_the_mean(db, settings):
    scale = Scale(code=f"ACQ-{id(db)}", name="Acquis", levels=[
        ScaleLevel(position=p, label=label, value=Decimal(p), min_percent=Decimal(p * 40))
        for p, label in enumerate(("non acquis", "en cours", "acquis"))
    ])  # fmt: skip
    db.add(scale)
    db.flush()
    j = make_jury(db, settings, rule=FinalGradeRule.MEAN, scale_id=scale.id)
    by_label = {level.label: level.id for level in scale.levels}
    for who, label in (("teacher", "acquis"), ("tutor", "en cours"), ("examiner", "en cours")):
        data = JuryMarkInput(scale_level_id=by_label[label])
        jury_marks.enter_mark(db, j.actor(j.by(who)), j.submission.id, data)

    view = jury_final.decide(db, j.actor(j.teacher), j.submission.id, JuryFinalInput())
    assert view.decision is not None
    assert view.decision.scale_level_id == by_label["en cours"]
