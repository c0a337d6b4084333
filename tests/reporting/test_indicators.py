"""Each indicator on the hand-counted LMQS world (see factories), each target's progress,
and the suppression of small cells: hidden, with complementary cells, and never recoverable
from the totals."""

from datetime import date
from decimal import Decimal

from app.core.config import Settings
from app.reporting.models import Indicator
from app.reporting.service.cells import Cell
from app.reporting.service.dashboard import Dashboard, Progress, dashboard
from tests.reporting.factories import TODAY, World, add_target


def _board(w: World, settings: Settings, user=None) -> Dashboard:
    return dashboard(w.db, settings, w.actor(user or w.coordinator), w.project.code, TODAY)


def _report(board: Dashboard, indicator: Indicator):
    return next(r for r in board.indicators if r.indicator is indicator)


def _by_key(cells: list[Cell]) -> dict[object, Decimal | None]:
    return {c.key: c.value for c in cells}


def test_every_indicator_counts_what_a_person_counts_by_hand(w: World, settings: Settings):
    for indicator in Indicator:
        add_target(w, indicator, 1, date(2027, 12, 31))

    board = _board(w, settings)

    totals = {r.indicator: r.total.value for r in board.indicators}
    assert totals == {
        Indicator.ENROLLED: Decimal(21), Indicator.COMPLETED: Decimal(9),
        Indicator.PROFESSIONALS_TRAINED: Decimal(5), Indicator.REFUGEE_SHARE: Decimal("28.6"),
        Indicator.CREDITS_AWARDED: Decimal(50), Indicator.CONTACT_HOURS: Decimal(2),
        Indicator.SCHOLARSHIPS: Decimal(6),
    }  # fmt: skip


def test_learners_are_counted_per_term_from_their_first_enrolment(w: World, settings: Settings):
    enrolled = _report(_board(w, settings), Indicator.ENROLLED)
    completed = _report(_board(w, settings), Indicator.COMPLETED)

    # 18 in S1 and 3 in S2: S2 is hidden, and S1 with it, or 21 - 18 would give S2 away.
    assert _by_key(enrolled.by_term) == {"2026-27/S1": None, "2026-27/S2": None}
    assert enrolled.total.value == Decimal(21)
    # All 9 completed the Licence in S1 (January 2027), none in S2: zero gives nobody away.
    assert _by_key(completed.by_term) == {"2026-27/S1": Decimal(9), "2026-27/S2": None}


def test_a_small_country_is_hidden_with_the_next_smallest_so_neither_can_be_worked_out(
    w: World, settings: Settings
):
    enrolled = _report(_board(w, settings), Indicator.ENROLLED)

    # AZ has 3: hidden; RU (6) is hidden with it, or 21 - 12 - 6 would give AZ away.
    assert _by_key(enrolled.by_country) == {"KZ": Decimal(12), "RU": None, "AZ": None}
    assert enrolled.total.value == Decimal(21)


def test_the_refugee_share_is_shown_only_where_refugees_and_others_both_reach_the_threshold(
    w: World, settings: Settings
):
    add_target(w, Indicator.REFUGEE_SHARE, 5, date(2027, 6, 30))

    share = _report(_board(w, settings), Indicator.REFUGEE_SHARE)

    # KZ alone (5 of 12) would be shown, but RU (0) and AZ (1) would then leave 1 refugee
    # to be computed back from the total's 6: KZ is hidden too.
    assert share.total.value == Decimal("28.6")
    assert set(_by_key(share.by_country).values()) == {None}


def test_no_hidden_cell_can_be_computed_back_from_a_total(w: World, settings: Settings):
    for indicator in Indicator:
        add_target(w, indicator, 1, date(2027, 12, 31))

    board = _board(w, settings)

    for report in board.indicators:
        if report.indicator in (Indicator.REFUGEE_SHARE, Indicator.CONTACT_HOURS):
            continue
        total = report.total.value
        for cells in (report.by_country, report.by_institution, report.by_term):
            hidden = [c for c in cells if c.value is None]
            if total is None or not hidden:
                continue
            left = total - sum(c.value for c in cells if c.value is not None)
            # What the hidden cells hold together: none, or at least the threshold, and never
            # one cell alone.
            assert left == 0 or (left >= settings.report_min_cell_size and len(hidden) >= 2), (
                report.indicator, cells,
            )  # fmt: skip


def test_targets_are_met_on_track_behind_late_or_not_shown(w: World, settings: Settings):
    met = add_target(w, Indicator.ENROLLED, 10, date(2027, 6, 30), country="KZ")
    late = add_target(w, Indicator.COMPLETED, 20, date(2027, 1, 31))
    hidden = add_target(w, Indicator.ENROLLED, 10, date(2027, 6, 30), country="AZ")
    behind = add_target(w, Indicator.ENROLLED, 100, date(2027, 6, 30))
    on_track = add_target(w, Indicator.ENROLLED, 22, date(2028, 6, 30))
    share = add_target(w, Indicator.REFUGEE_SHARE, 5, date(2027, 6, 30))

    progress = {t.target.id: (t.progress, t.figure.value) for t in _board(w, settings).targets}

    assert progress[met.id] == (Progress.MET, Decimal(12))
    assert progress[late.id] == (Progress.LATE, Decimal(9))
    assert progress[hidden.id] == (Progress.NOT_SHOWN, None)
    assert progress[behind.id] == (Progress.BEHIND, Decimal(21))
    assert progress[on_track.id] == (Progress.ON_TRACK, Decimal(21))
    assert progress[share.id] == (Progress.MET, Decimal("28.6"))


def test_a_target_counts_only_from_its_own_start(w: World, settings: Settings):
    later = add_target(w, Indicator.ENROLLED, 3, date(2027, 6, 30), counts_from=date(2027, 2, 1))

    (found,) = _board(w, settings).targets

    assert found.target.id == later.id
    assert found.figure.value is None  # the 3 AZ learners of February: under 5


def test_an_institution_manager_reads_their_institutions_learners_only(
    w: World, settings: Settings
):
    add_target(w, Indicator.ENROLLED, 10, date(2027, 6, 30), institution=w.kz)
    add_target(w, Indicator.ENROLLED, 10, date(2027, 6, 30), institution=w.ru)

    board = _board(w, settings, w.kz_manager)

    assert board.opened.access.institution_id == w.kz.id
    assert [t.target.institution_id for t in board.targets] == [w.kz.id]
    assert _report(board, Indicator.ENROLLED).total.value == Decimal(12)
    assert _by_key(_report(board, Indicator.ENROLLED).by_country) == {"KZ": Decimal(12)}


def test_funders_get_aggregates_without_courses_or_cohorts(w: World, settings: Settings):
    assert _board(w, settings, w.funder).courses is None
    assert _board(w, settings, w.funder).cohorts is None
    manager = _board(w, settings, w.programme_manager)
    assert {row.name: row.enrolled.value for row in manager.cohorts or []} == {
        f"KZ-2026-{w.kz.id}": Decimal(12)
    }
    by_course = {
        row.name: (row.enrolled.value, row.completed.value) for row in manager.courses or []
    }
    assert by_course[w.courses[0].code] == (Decimal(21), Decimal(9))


def test_the_dashboard_reads_the_same_number_of_statements_whatever_the_data(
    w: World, settings: Settings, queries
):
    add_target(w, Indicator.ENROLLED, 10, date(2027, 6, 30))
    with queries:
        _board(w, settings)
    small = queries.count
    from tests.reporting.factories import _people

    _people(w.db, {"kz": w.kz, "ru": w.ru, "az": w.az}, w.courses, prefix="more")
    add_target(w, Indicator.COMPLETED, 10, date(2027, 6, 30))
    add_target(w, Indicator.SCHOLARSHIPS, 10, date(2027, 6, 30), country="KZ")
    with queries:
        _board(w, settings)

    assert queries.count == small


def test_contact_hours_are_not_about_people_so_they_are_shown_per_term_only(
    w: World, settings: Settings
):
    add_target(w, Indicator.CONTACT_HOURS, 160, date(2027, 6, 30))

    hours = _report(_board(w, settings), Indicator.CONTACT_HOURS)

    assert _by_key(hours.by_term) == {"2026-27/S1": Decimal(2), "2026-27/S2": Decimal(0)}
    assert (hours.by_country, hours.by_institution) == ([], [])
