"""Whose dates hold: a learner's extension beats their group's override, which beats the
assignment's; lateness and the declared late penalty."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app.assignments.models import Assignment, Extension, GroupOverride
from app.assignments.schemas import ExtensionCreate, GroupOverrideCreate
from app.assignments.service import dates
from app.core.errors import Conflict, Forbidden, Invalid
from tests.assignments.submission_factories import add_group, make_setup

DUE = datetime(2026, 12, 10, 17, 0, tzinfo=UTC)
CUTOFF = datetime(2026, 12, 12, 17, 0, tzinfo=UTC)


def _penalised(per_day: str, cap: str | None, max_points: str = "20") -> Assignment:
    return Assignment(
        max_points=Decimal(max_points),
        late_penalty_percent_per_day=Decimal(per_day),
        late_penalty_cap_percent=Decimal(cap) if cap is not None else None,
    )


def test_one_day_late_at_five_percent_of_twenty_costs_one_point():
    assert dates.late_penalty_points(_penalised("5", None), timedelta(hours=3)) == Decimal(1)
    assert dates.late_penalty_points(_penalised("5", None), timedelta(days=1)) == Decimal(1)


def test_thirty_days_late_is_capped_at_twenty_percent():
    assert dates.late_penalty_points(_penalised("5", "20"), timedelta(days=30)) == Decimal(4)


def test_a_part_of_a_day_counts_as_a_day():
    late = timedelta(days=2, minutes=1)
    assert dates.late_penalty_points(_penalised("5", "50"), late) == Decimal(3)


def test_no_penalty_on_time_or_without_a_declared_penalty():
    assert dates.late_penalty_points(_penalised("5", None), timedelta(0)) == Decimal(0)
    assert dates.late_penalty_points(Assignment(max_points=Decimal(20)), timedelta(days=3)) == 0


def test_lateness_is_measured_from_the_due_date():
    held = dates.Dates(None, DUE, CUTOFF)
    assert dates.lateness(held, DUE) == timedelta(0)
    assert dates.lateness(held, DUE + timedelta(hours=5)) == timedelta(hours=5)
    assert dates.lateness(dates.Dates(None, None, None), DUE) == timedelta(0)


def test_an_extension_beats_the_group_override_which_beats_the_assignment(db, settings):
    setup = make_setup(db, settings, learners=3, due_at=DUE, cutoff_at=CUTOFF)
    ann, bob, outsider = setup.learners
    group = add_group(setup, "Team A", [ann, bob])
    teacher = setup.actor(setup.teacher)
    aid = setup.assignment.id
    group_due = DUE + timedelta(days=3)
    dates.set_group_override(
        db, teacher, aid, GroupOverrideCreate(group_id=group.id, due_at=group_due,
                                              cutoff_at=group_due + timedelta(days=1)),
    )  # fmt: skip
    own_due = DUE + timedelta(days=7)
    dates.grant_extension(
        db, teacher, aid, ExtensionCreate(user_id=ann.id, due_at=own_due, reason="Illness")
    )

    for_ann = dates.effective_dates(db, setup.assignment, user_id=ann.id)
    for_bob = dates.effective_dates(db, setup.assignment, user_id=bob.id)
    assert (for_ann.due_at, for_ann.extended) == (own_due, True)
    assert for_ann.cutoff_at == own_due  # the group's cut-off came before the new due date
    assert (for_bob.due_at, for_bob.cutoff_at) == (group_due, group_due + timedelta(days=1))
    alone = dates.effective_dates(db, setup.assignment, user_id=outsider.id)
    assert (alone.due_at, alone.cutoff_at) == (DUE, CUTOFF)


def test_granting_again_replaces_the_extension_and_removing_restores_the_dates(db, settings):
    setup = make_setup(db, settings, due_at=DUE, cutoff_at=CUTOFF)
    ann = setup.learners[0]
    teacher = setup.actor(setup.teacher)
    aid = setup.assignment.id
    first = ExtensionCreate(user_id=ann.id, due_at=DUE + timedelta(days=1))
    dates.grant_extension(db, teacher, aid, first)
    second = ExtensionCreate(user_id=ann.id, due_at=DUE + timedelta(days=2))
    extension = dates.grant_extension(db, teacher, aid, second)
    assert db.scalar(select(func.count()).select_from(Extension)) == 1

    dates.remove_extension(db, teacher, aid, extension.id)
    held = dates.effective_dates(db, setup.assignment, user_id=ann.id)
    assert (held.due_at, held.extended) == (DUE, False)


def test_extension_rules(db, settings):
    setup = make_setup(db, settings, due_at=DUE)
    teacher = setup.actor(setup.teacher)
    aid = setup.assignment.id
    with pytest.raises(Invalid) as not_learner:
        dates.grant_extension(
            db, teacher, aid, ExtensionCreate(user_id=setup.teacher.id, due_at=DUE)
        )
    assert not_learner.value.field == "user_id"
    backwards = ExtensionCreate(
        user_id=setup.learners[0].id, due_at=DUE, cutoff_at=DUE - timedelta(hours=1)
    )
    with pytest.raises(Invalid):
        dates.grant_extension(db, teacher, aid, backwards)
    with pytest.raises(Forbidden):
        dates.grant_extension(
            db, setup.actor(setup.learners[1]), aid,
            ExtensionCreate(user_id=setup.learners[1].id, due_at=DUE + timedelta(days=9)),
        )  # fmt: skip


def test_one_override_per_group(db, settings):
    setup = make_setup(db, settings, due_at=DUE)
    group = add_group(setup, "Team A", setup.learners)
    teacher = setup.actor(setup.teacher)
    data = GroupOverrideCreate(group_id=group.id, due_at=DUE + timedelta(days=1))
    override = dates.set_group_override(db, teacher, setup.assignment.id, data)
    with pytest.raises(Conflict):
        dates.set_group_override(db, teacher, setup.assignment.id, data)

    dates.remove_group_override(db, teacher, setup.assignment.id, override.id)
    assert db.scalar(select(func.count()).select_from(GroupOverride)) == 0
