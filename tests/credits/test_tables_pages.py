"""The registrars' pages for grading scales and tables: tables shown with percentages and
cumulative percentages, compute, CSV import and conversion forms, refusals shown beside the
form that write nothing."""

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.accounts.models import Institution
from app.core.actors import SYSTEM
from app.core.config import Settings
from app.credits.models import GradingTable
from app.credits.service import table_import
from app.credits.tables_schemas import TableImport
from app.grades.models import Scale
from tests.conftest import QueryCounter
from tests.credits.tables_world import TablesWorld, as_browser, post_form, tables_world

PAGE = "/admin/credits/tables"
PARTNER_CSV = b"grade,percent\nA,20\nB,20\nC,60\n"


@pytest.fixture
def w(db: Session, settings: Settings) -> TablesWorld:
    return tables_world(db, settings)


def count(db: Session, model: type[GradingTable] | type[Scale]) -> int:
    return db.scalar(select(func.count(model.id))) or 0


def scope_form(w: TablesWorld, owner: Institution | None = None, **extra: str) -> dict[str, str]:
    return {key: str(value) for key, value in w.scope(owner, **extra).items()}


def test_a_registrar_computes_a_table_and_sees_its_cumulative_column(
    client: TestClient, w: TablesWorld
) -> None:
    for grade in ["5", "4", "4", "3"]:
        w.award(grade)
    as_browser(client, w, w.registrar)
    response = post_form(client, w, PAGE + "/compute", scope_form(w))
    assert response.status_code == 303
    page = client.get(response.headers["location"]).text
    assert "The grading table is saved." in page
    assert "ISCED-F 0413, EQF level 7" in page
    assert "Cumulative percentage" in page
    assert "75.00 %" in page  # the cumulative of "4"


def test_a_refused_compute_form_says_why_and_writes_nothing(
    client: TestClient, w: TablesWorld
) -> None:
    w.award("5")
    as_browser(client, w, w.registrar)
    response = post_form(client, w, PAGE + "/compute", scope_form(w, period_to="2025-08-31"))
    assert response.status_code == 400
    assert "at least two academic years" in response.text
    assert count(w.db, GradingTable) == 0


def test_a_partner_table_is_imported_from_csv_and_a_grade_converted(
    client: TestClient, w: TablesWorld
) -> None:
    for grade in ["5", "5", "5", "4", "4", "4", "4", "3", "3", "3"]:
        w.award(grade)
    as_browser(client, w, w.registrar)
    post_form(client, w, PAGE + "/compute", scope_form(w))
    as_browser(client, w, w.partner_registrar)
    form = scope_form(w, w.partner, scale_code="kz-letter")
    files = {"file": ("table.csv", PARTNER_CSV)}
    assert post_form(client, w, PAGE + "/import", form, files).status_code == 303
    ours, theirs = w.db.scalars(select(GradingTable.id).order_by(GradingTable.id)).all()
    data = {"source_table_id": str(theirs), "target_table_id": str(ours), "grade": "B"}
    result = post_form(client, w, PAGE + "/convert", data)
    assert result.status_code == 200
    assert "B converts to 5." in result.text  # midpoint 30: a tie goes to the better grade
    assert "ects-grading-table-midpoint" in result.text
    assert "30.00 %" in result.text


def test_a_bad_csv_is_refused_and_writes_nothing(client: TestClient, w: TablesWorld) -> None:
    as_browser(client, w, w.partner_registrar)
    form = scope_form(w, w.partner, scale_code="kz-letter")
    files = {"file": ("table.csv", b"grade,percent\nA,20\nF,80\n")}
    response = post_form(client, w, PAGE + "/import", form, files)
    assert response.status_code == 400
    assert "Only passing grades" in response.text
    assert count(w.db, GradingTable) == 0


def test_a_failing_grade_is_not_converted_on_the_page(client: TestClient, w: TablesWorld) -> None:
    w.award("5")
    as_browser(client, w, w.registrar)
    post_form(client, w, PAGE + "/compute", scope_form(w))
    table = w.db.scalar(select(GradingTable.id))
    data = {"source_table_id": str(table), "target_table_id": str(table), "grade": "2"}
    response = post_form(client, w, PAGE + "/convert", data)
    assert response.status_code == 400
    assert "not in the source table" in response.text
    for wrong in ("x", "99999999999999"):
        data = {"source_table_id": wrong, "target_table_id": str(table), "grade": "5"}
        response = post_form(client, w, PAGE + "/convert", data)
        assert response.status_code == 400
        assert "Choose the two tables." in response.text


def test_a_student_may_not_open_the_registry_pages(client: TestClient, w: TablesWorld) -> None:
    as_browser(client, w, w.student)
    assert client.get(PAGE).status_code == 403
    assert client.get("/admin/credits/scales").status_code == 403


def test_a_registrar_adds_a_scale_with_its_levels(client: TestClient, w: TablesWorld) -> None:
    as_browser(client, w, w.registrar)
    page = client.get("/admin/credits/scales").text
    assert "kz-letter" in page
    assert "az-100" in page
    levels = "F, 0, 0\nP, 1, 50, pass\n"
    data = {"code": "pass-fail", "name": "Pass or fail", "levels": levels}
    response = post_form(client, w, "/admin/credits/scales", data)
    assert response.status_code == 303
    scale = w.db.scalar(select(Scale).where(Scale.code == "pass-fail"))
    assert scale is not None
    assert scale.institution_id == w.home.id


def test_a_refused_scale_form_keeps_what_was_typed(client: TestClient, w: TablesWorld) -> None:
    as_browser(client, w, w.registrar)
    before = count(w.db, Scale)
    data = {"code": "odd", "name": "Odd", "levels": "F; 0; 0"}
    response = post_form(client, w, "/admin/credits/scales", data)
    assert response.status_code == 400
    assert "label, value, lowest percentage" in response.text
    assert "F; 0; 0" in response.text
    assert count(w.db, Scale) == before


def test_the_tables_page_costs_the_same_queries_for_2_or_6_tables(
    client: TestClient, w: TablesWorld, queries: QueryCounter
) -> None:
    as_browser(client, w, w.registrar)
    form = scope_form(w)
    counts = []
    for wanted in (2, 6):
        while count(w.db, GradingTable) < wanted:
            body = TableImport.model_validate({**form, "rows": [{"grade": "5", "count": 1}]})
            table_import.import_table(w.db, SYSTEM, body)
        with queries:
            assert client.get(PAGE).text.count('<table class="rows" id="table-') == wanted
        counts.append(queries.count)
    assert counts[0] == counts[1]
