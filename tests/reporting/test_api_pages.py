"""Reports through the API and the pages: what each reader is sent, refusals that write
nothing, and the downloads (CSV, XLSX) withholding what the dashboard withholds."""

import io
from datetime import date

from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import func, select

from app.reporting.models import Indicator, ReportTarget
from tests.accounts.factories import api_token, bearer, sign_in
from tests.conftest import csrf_from
from tests.reporting.factories import World, add_target

P = "/api/v1/reports/projects"


def _headers(client: TestClient, user) -> dict[str, str]:
    return bearer(api_token(client, user.email))


def test_a_funder_reads_aggregates_and_never_a_person(client: TestClient, w: World):
    add_target(w, Indicator.ENROLLED, 10, date(2027, 6, 30), country="KZ")
    headers = _headers(client, w.funder)

    board = client.get(f"{P}/{w.project.code}/dashboard", headers=headers).json()
    sign_in(client, w.funder.email)
    page = client.get(f"/reports/{w.project.code}").text

    assert board["courses"] is None
    assert board["cohorts"] is None
    assert board["targets"][0]["value"] == "12.0"
    for learner in w.learners:
        assert learner.display_name not in page
        assert learner.email not in page
        assert learner.email not in str(board)
    assert w.courses[0].code not in page


def test_hidden_figures_are_null_in_the_api_and_empty_in_the_downloads(
    client: TestClient, w: World
):
    headers = _headers(client, w.coordinator)

    board = client.get(f"{P}/{w.project.code}/dashboard", headers=headers).json()
    xlsx = client.get(f"{P}/{w.project.code}/export.xlsx", headers=headers)
    csv = client.get(f"{P}/{w.project.code}/export.csv?language=fr", headers=headers)

    enrolled = next(i for i in board["indicators"] if i["indicator"] == "enrolled")
    assert {f["group"]: f["value"] for f in enrolled["by_country"]} == {
        "KZ": "12.0", "RU": None, "AZ": None,
    }  # fmt: skip
    assert xlsx.headers["content-disposition"].startswith("attachment;")
    rows = list(load_workbook(io.BytesIO(xlsx.content)).worksheets[1].iter_rows(values_only=True))
    by_country = {r[3]: r[4] for r in rows if r[1] == "Learners enrolled" and r[2] == "Country"}
    assert by_country == {"Kazakhstan": 12, "Russia": None, "Azerbaijan": None}
    assert "Moins de 5 personnes" in csv.text
    assert "Kazakhstan" in csv.text


def test_outsiders_know_no_project(client: TestClient, w: World):
    for user in (w.outsider_manager, w.student):
        headers = _headers(client, user)
        assert client.get(f"{P}/{w.project.code}/dashboard", headers=headers).status_code == 404
        assert client.get(P, headers=headers).json() == []
    assert client.get(P, headers=_headers(client, w.kz_manager)).json()[0]["code"] == w.project.code


def test_a_refused_target_writes_nothing(client: TestClient, w: World):
    headers = _headers(client, w.coordinator)
    before = w.db.scalar(select(func.count()).select_from(ReportTarget))
    base = {
        "indicator": "enrolled",
        "value": 10,
        "counts_from": "2026-09-01",
        "due_on": "2027-06-30",
    }

    early = client.post(
        f"{P}/{w.project.code}/targets", headers=headers, json={**base, "due_on": "2026-01-01"}
    )
    unknown = client.post(
        f"{P}/{w.project.code}/targets", headers=headers, json={**base, "institution": "NOPE"}
    )
    hours = client.post(
        f"{P}/{w.project.code}/targets", headers=headers,
        json={**base, "indicator": "contact_hours", "country": "KZ"},
    )  # fmt: skip
    funder = client.post(
        f"{P}/{w.project.code}/targets", headers=_headers(client, w.funder), json=base
    )

    assert (early.status_code, hours.status_code) == (422, 422)
    assert unknown.status_code == 422
    assert unknown.json()["code"] == "unknown_institution"
    assert funder.status_code == 403
    assert w.db.scalar(select(func.count()).select_from(ReportTarget)) == before


def test_a_coordinator_runs_a_project_from_the_pages(client: TestClient, w: World):
    sign_in(client, w.coordinator.email)
    manage = f"/reports/{w.project.code}/manage"
    token = csrf_from(client.get(manage).text)

    refused = client.post(
        f"/reports/{w.project.code}/targets",
        data={"csrf_token": token, "indicator": "enrolled", "value": "ten",
              "counts_from": "2026-09-01", "due_on": "2027-06-30"},
    )  # fmt: skip
    added = client.post(
        f"/reports/{w.project.code}/targets", follow_redirects=False,
        data={"csrf_token": token, "indicator": "scholarships", "value": "6",
              "counts_from": "2026-09-01", "due_on": "2027-06-30", "label": "MPHM scholarships"},
    )  # fmt: skip
    page = client.get(f"/reports/{w.project.code}").text

    assert refused.status_code == 400
    assert 'aria-invalid="true"' in refused.text
    assert added.status_code == 303
    assert "MPHM scholarships" in page
    assert "Met" in page
    assert "<svg" in page


def test_a_coordinator_narrows_the_dashboard_to_one_institution(client: TestClient, w: World):
    add_target(w, Indicator.ENROLLED, 5, date(2027, 6, 30), institution=w.ru)
    headers = _headers(client, w.coordinator)

    narrowed = client.get(
        f"{P}/{w.project.code}/dashboard?institution={w.ru.code}", headers=headers
    )
    unknown = client.get(f"{P}/{w.project.code}/dashboard?institution=NOPE", headers=headers)
    sign_in(client, w.coordinator.email)
    page = client.get(f"/reports/{w.project.code}?institution={w.ru.code}").text

    board = narrowed.json()
    assert board["institution"] == w.ru.id
    enrolled = next(i for i in board["indicators"] if i["indicator"] == "enrolled")
    assert enrolled["total"]["value"] == "6.0"
    assert [t["value"] for t in board["targets"]] == ["6.0"]
    assert unknown.status_code == 422
    assert unknown.json()["code"] == "unknown_institution"
    assert f"export.xlsx?institution={w.ru.code}" in page


def test_a_hidden_figure_reads_as_hidden_on_the_page(client: TestClient, w: World):
    sign_in(client, w.coordinator.email)

    page = client.get(f"/reports/{w.project.code}").text

    russia = page[page.index(">Russia<") :][:200]
    assert "Fewer than 5 people: not shown." in russia
