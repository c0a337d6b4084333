"""Grading tables computed from the ledger and imported from partners, the table in force,
and conversion between stored tables."""

from datetime import date
from decimal import Decimal

import pytest
from pydantic import ValidationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.core.actors import Actor, PlatformRole
from app.core.config import Settings
from app.core.errors import Forbidden
from app.credits.models import EntrySource, GradingTable, TableSource
from app.credits.service import table_import, tables
from app.credits.service.conversion import NotConvertible
from app.credits.tables_schemas import TableCompute, TableImport
from tests.credits.tables_world import TablesWorld, tables_world

D = Decimal


@pytest.fixture
def w(db: Session, settings: Settings) -> TablesWorld:
    return tables_world(db, settings)


def registrar(w: TablesWorld, institution_id: int | None = None) -> Actor:
    return Actor(
        user_id=w.registrar.id,
        institution_id=institution_id or w.home.id,
        platform_role=PlatformRole.INSTITUTION_MANAGER,
        scopes=frozenset({"credits:read", "credits:write"}),
    )


def rows(table: GradingTable) -> list[tuple[str, int, Decimal, Decimal]]:
    return [(r.grade, r.count, r.percent, r.cumulative) for r in table.rows]


def compute(w: TablesWorld, **extra: object) -> GradingTable:
    return tables.compute(w.db, registrar(w), TableCompute.model_validate(w.scope(**extra)))


def test_a_computed_table_counts_passing_grades_best_first(w: TablesWorld) -> None:
    for grade in ["5", "5", "4", "4", "4", "4", "4", "3", "3", "3", "2"]:
        w.award(grade)
    table = compute(w)
    assert table.source is TableSource.COMPUTED
    assert table.total == 10  # the failing "2" is not in the table
    assert rows(table) == [
        ("5", 2, D("20.00"), D("20.00")),
        ("4", 5, D("50.00"), D("70.00")),
        ("3", 3, D("30.00"), D("100.00")),
    ]


def test_percentages_add_up_to_exactly_100(w: TablesWorld) -> None:
    for grade in ["5", "4", "3"]:
        w.award(grade)
    table = compute(w)
    assert [r.percent for r in table.rows] == [D("33.33"), D("33.34"), D("33.33")]
    assert sum(r.percent for r in table.rows) == D("100.00")
    assert table.rows[-1].cumulative == D("100.00")


def test_numeric_scales_count_whole_points(w: TablesWorld) -> None:
    for grade in ["14.5", "14", "16.5", "12"]:
        w.award(grade, scale="fr-20")
    table = compute(w, scale_code="fr-20")
    counted = {r.grade: r.count for r in table.rows if r.count}
    assert counted == {"16": 1, "14": 2, "12": 1}
    assert [r.grade for r in table.rows][:2] == ["20", "19"]  # every passing point, best first


def test_only_results_in_force_of_the_group_institution_and_period_count(
    w: TablesWorld,
) -> None:
    w.award("5")
    w.revoke(w.award("5"))
    w.award("5", on=date(2024, 8, 31))  # before the period
    w.award("5", institution=w.partner)
    w.award("5", isced_code="0912")
    w.award("5", eqf_level=6)
    w.award("5", source=EntrySource.TRANSFER)
    w.award("3")
    table = compute(w)
    assert [(r.grade, r.count) for r in table.rows] == [("5", 1), ("4", 0), ("3", 1)]


def test_a_period_shorter_than_two_academic_years_is_refused(w: TablesWorld) -> None:
    w.award("5")
    with pytest.raises(tables.TableRefused) as refused:
        compute(w, period_to="2026-08-30")
    assert refused.value.field == "period_to"
    assert w.db.scalar(select(func.count(GradingTable.id))) == 0


def test_a_group_without_passing_grades_has_no_table(w: TablesWorld) -> None:
    w.award("2")
    with pytest.raises(tables.TableRefused):
        compute(w)


def test_only_registrars_of_the_owner_compute(w: TablesWorld) -> None:
    w.award("5")
    with pytest.raises(Forbidden):
        tables.compute(w.db, registrar(w, w.partner.id), TableCompute.model_validate(w.scope()))


def imported(
    w: TablesWorld, rows: list[dict[str, object]], scale: str = "kz-letter"
) -> GradingTable:
    body = w.scope(w.partner, scale_code=scale, rows=rows)
    return table_import.import_table(
        w.db, registrar(w, w.partner.id), TableImport.model_validate(body)
    )


def test_an_imported_table_is_stored_best_first_with_computed_percentages(
    w: TablesWorld,
) -> None:
    table = imported(w, [{"grade": "B", "count": 30}, {"grade": "A", "count": 10}])
    assert table.source is TableSource.IMPORTED
    assert table.owner_institution_id == w.partner.id
    assert rows(table) == [("A", 10, D("25.00"), D("25.00")), ("B", 30, D("75.00"), D("100.00"))]


def test_imported_percentages_must_add_up_to_100(w: TablesWorld) -> None:
    table = imported(w, [{"grade": "A", "percent": "40"}, {"grade": "B", "percent": "59.95"}])
    assert [r.cumulative for r in table.rows] == [D("40.00"), D("99.95")]
    with pytest.raises(tables.TableRefused):
        imported(w, [{"grade": "A", "percent": "40"}, {"grade": "B", "percent": "59.8"}])


@pytest.mark.parametrize(
    "rows",
    [
        [{"grade": "F", "count": 3}, {"grade": "A", "count": 1}],  # failing
        [{"grade": "Z", "count": 3}],  # not on the scale
        [{"grade": "A", "count": 3}, {"grade": "A", "count": 1}],  # twice
        [{"grade": "A", "count": 3}, {"grade": "B", "percent": "10"}],  # mixed
        [{"grade": "A", "count": 0}],  # counts nothing
    ],
)
def test_a_bad_imported_table_is_refused(w: TablesWorld, rows: list[dict[str, object]]) -> None:
    with pytest.raises(tables.TableRefused):
        imported(w, rows)
    assert w.db.scalar(select(func.count(GradingTable.id))) == 0


def test_a_row_needs_a_count_or_a_percent() -> None:
    with pytest.raises(ValidationError):
        TableImport.model_validate(
            {"owner_institution_id": 1, "isced_code": "0413", "eqf_level": 7,
             "scale_code": "ru-5", "period_from": "2024-09-01", "period_to": "2026-08-31",
             "rows": [{"grade": "5"}]}
        )  # fmt: skip


def test_csv_rows_are_read_with_counts_or_percentages() -> None:
    text = 'grade,count,percent\nA,10,\n"B+",30,\n'
    parsed = table_import.parse_rows_csv(text.encode())
    assert [(r.grade, r.count, r.percent) for r in parsed] == [("A", 10, None), ("B+", 30, None)]
    with pytest.raises(tables.TableRefused):
        table_import.parse_rows_csv(b"mark,count\nA,1\n")
    with pytest.raises(tables.TableRefused):
        table_import.parse_rows_csv(b"grade,count\nA,many\n")


def test_the_newest_table_of_a_group_is_in_force(w: TablesWorld) -> None:
    first = imported(w, [{"grade": "A", "count": 1}])
    newest = imported(w, [{"grade": "A", "count": 2}])
    found = tables.in_force(w.db, w.partner.id, "0413", 7, "kz-letter")
    assert found is not None
    assert found.id == newest.id != first.id
    assert tables.in_force(w.db, w.home.id, "0413", 7, "kz-letter") is None


def test_stored_tables_convert_labels_and_refuse_failing_grades(w: TablesWorld) -> None:
    for grade in ["5", "5", "5", "4", "4", "4", "4", "3", "3", "3"]:
        w.award(grade)
    ours = compute(w)
    theirs = imported(
        w, [{"grade": "A", "percent": "20"}, {"grade": "B", "percent": "20"},
            {"grade": "C", "percent": "60"}],
    )  # fmt: skip
    assert tables.convert_grade(w.db, theirs, ours, "B").grade == "5"  # midpoint 30: a tie
    assert tables.convert_grade(w.db, ours, theirs, "хорошо").grade == "C"  # "4", midpoint 50
    with pytest.raises(NotConvertible):
        tables.convert_grade(w.db, ours, theirs, "неудовлетворительно")
    with pytest.raises(NotConvertible):
        tables.convert_grade(w.db, theirs, ours, "F")
