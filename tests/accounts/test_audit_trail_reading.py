"""Reading the audit trail: admins and platform managers read every entry, an institution
manager those of actors acting for their institution and those about its people (never
another institution's, and without the names of people outside their reach); filters by
person, object, actor, period and outcome; newest first, page by page; CSV from the API and
the page; as many SQL statements for many entries as for few."""

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.accounts.models import AuditOutcome
from app.core.config import Settings
from tests.accounts.audit_world import NOON, AuditWorld, audit_world
from tests.budgets import at_two_sizes, statements
from tests.conftest import QueryCounter

pytestmark = pytest.mark.time_machine(NOON, tick=False)
API = "/api/v1/audit-entries"


@pytest.fixture
def w(db: Session, settings: Settings) -> AuditWorld:
    world = audit_world(db, settings)
    # by the home manager, about a home learner; by the away manager, about an away learner;
    # by the away manager about a home learner (a partner's act on home's person); a refusal.
    world.add("grade.override", "grade:12", actor_user_id=world.manager.id,
              institution_id=world.home.id, person_id=world.learner.id,
              from_value="12.5", to_value="14", at=NOON - timedelta(days=2))  # fmt: skip
    world.add("enrolment.status", "enrolment:7", actor_user_id=world.manager_away.id,
              institution_id=world.away.id, person_id=world.learner_away.id,
              from_value="active", to_value="withdrawn", at=NOON - timedelta(days=1))  # fmt: skip
    world.add("grade.override", "grade:13", actor_user_id=world.manager_away.id,
              institution_id=world.away.id, person_id=world.learner.id,
              from_value="9", to_value="10", at=NOON - timedelta(hours=1))  # fmt: skip
    refused = world.add("refused", "GET /api/v1/users", actor_user_id=world.teacher.id,
                        institution_id=world.home.id, at=NOON)  # fmt: skip
    refused.outcome = AuditOutcome.REFUSED
    world.db.flush()
    return world


def _subjects(client: TestClient, w: AuditWorld, reader, **params: object) -> list[str]:
    answer = client.get(API, params=params, headers=w.headers(reader))
    assert answer.status_code == 200, answer.text
    return [item["subject"] for item in answer.json()["items"]]


def test_a_coordinator_reads_every_entry_newest_first(client: TestClient, w: AuditWorld):
    assert _subjects(client, w, w.admin) == [
        "GET /api/v1/users",
        "grade:13",
        "enrolment:7",
        "grade:12",
    ]


def test_an_entry_reads_with_its_names_values_and_outcome(client: TestClient, w: AuditWorld):
    answer = client.get(API, params={"subject": "grade:12"}, headers=w.headers(w.admin))

    [item] = answer.json()["items"]
    assert item == {
        "id": item["id"], "at": "2026-12-01T12:00:00Z", "outcome": "done",
        "action": "grade.override", "subject": "grade:12", "detail": None,
        "from_value": "12.5", "to_value": "14", "request_id": None,
        "actor_user_id": w.manager.id, "actor_name": "Marat Manager", "actor_client_id": None,
        "client_name": None, "institution_id": w.home.id, "institution_code": "AUHOME",
        "person_id": w.learner.id, "person_name": "Lola Learner",
    }  # fmt: skip


def test_an_institution_manager_reads_only_what_concerns_their_institution(
    client: TestClient, w: AuditWorld
):
    home = client.get(API, headers=w.headers(w.manager)).json()["items"]
    away = client.get(API, headers=w.headers(w.manager_away)).json()["items"]

    assert [e["subject"] for e in home] == ["GET /api/v1/users", "grade:13", "grade:12"]
    # the away manager's act on a home learner: the home manager sees it, without the name of
    # the outside actor; the away manager sees it, without the name of the home learner.
    by_outsider = next(e for e in home if e["subject"] == "grade:13")
    assert (by_outsider["actor_user_id"], by_outsider["actor_name"]) == (w.manager_away.id, None)
    assert by_outsider["person_name"] == "Lola Learner"
    assert [e["subject"] for e in away] == ["grade:13", "enrolment:7"]
    assert next(e for e in away if e["subject"] == "grade:13")["person_name"] is None


def test_an_institution_manager_filtering_on_another_institutions_person_finds_nothing(
    client: TestClient, w: AuditWorld
):
    assert _subjects(client, w, w.manager, person_id=w.learner_away.id) == []
    assert _subjects(client, w, w.admin, person_id=w.learner_away.id) == ["enrolment:7"]


def test_filters_by_person_object_actor_period_and_outcome(client: TestClient, w: AuditWorld):
    day = NOON.date()
    assert _subjects(client, w, w.admin, person_id=w.learner.id) == ["grade:13", "grade:12"]
    assert _subjects(client, w, w.admin, subject="grade:") == ["grade:13", "grade:12"]
    assert _subjects(client, w, w.admin, subject="grade:12") == ["grade:12"]
    assert _subjects(client, w, w.admin, subject="grade") == []  # neither exact nor a kind
    assert _subjects(client, w, w.admin, actor_user_id=w.manager_away.id) == [
        "grade:13",
        "enrolment:7",
    ]
    assert _subjects(client, w, w.admin, **{"from": day - timedelta(days=1)}) == [
        "GET /api/v1/users",
        "grade:13",
        "enrolment:7",
    ]
    assert _subjects(client, w, w.admin, to=day - timedelta(days=1)) == ["enrolment:7", "grade:12"]
    assert _subjects(client, w, w.admin, outcome="refused") == ["GET /api/v1/users"]
    assert _subjects(
        client, w, w.admin, outcome="done", subject="grade:", actor_user_id=w.manager.id
    ) == ["grade:12"]


def test_the_period_is_in_utc_days_both_ends_included(client: TestClient, w: AuditWorld):
    late = datetime(2026, 11, 30, 23, 59, 59, tzinfo=UTC)
    w.add("test.edge", "edge:1", at=late)
    w.add("test.edge", "edge:2", at=late + timedelta(seconds=1))
    day = late.date()

    assert _subjects(client, w, w.admin, subject="edge:", to=day) == ["edge:1"]
    assert _subjects(client, w, w.admin, subject="edge:", **{"from": day}) == ["edge:2", "edge:1"]


def test_filters_by_partner_client(client: TestClient, w: AuditWorld):
    client_id, _ = w.client_headers(w.home, ["users:read"])
    w.add("enrolment.create", "enrolment:9", actor_client_id=client_id, institution_id=w.home.id)

    answer = client.get(API, params={"actor_client_id": client_id}, headers=w.headers(w.manager))

    [item] = answer.json()["items"]
    assert (item["subject"], item["client_name"], item["actor_user_id"]) == (
        "enrolment:9",
        "Partner registry",
        None,
    )


def test_a_period_that_ends_before_it_starts_is_refused(client: TestClient, w: AuditWorld):
    answer = client.get(
        API, params={"from": "2026-12-03", "to": "2026-12-01"}, headers=w.headers(w.admin)
    )

    assert answer.status_code == 422
    assert (answer.json()["code"], answer.json()["errors"][0]["field"]) == ("period_reversed", "to")


def test_the_trail_is_read_page_by_page(client: TestClient, w: AuditWorld):
    headers = w.headers(w.admin)
    seen: list[str] = []
    cursor = None
    for _ in range(3):
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = client.get(API, params=params, headers=headers).json()
        seen += [item["subject"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break

    assert seen == ["GET /api/v1/users", "grade:13", "enrolment:7", "grade:12"]
    assert cursor is None
    forged = client.get(API, params={"cursor": "%%%"}, headers=headers)
    assert (forged.status_code, forged.json()["errors"][0]["field"]) == (422, "cursor")


def _csv_rows(text: str) -> list[dict[str, str]]:
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))


def test_the_filtered_trail_downloads_as_csv(client: TestClient, w: AuditWorld):
    w.add("test.formula", "formula:1", detail='=HYPERLINK("http://evil")', at=NOON)

    answer = client.get(
        f"{API}.csv", params={"person_id": w.learner.id}, headers=w.headers(w.manager)
    )

    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/csv")
    assert answer.headers["content-disposition"].startswith("attachment;")
    rows = _csv_rows(answer.text)
    assert [(r["subject"], r["from"], r["to"], r["person_name"]) for r in rows] == [
        ("grade:13", "9", "10", "Lola Learner"),
        ("grade:12", "12.5", "14", "Lola Learner"),
    ]
    assert rows[0]["actor_name"] == ""  # an outside actor, unnamed for the home manager
    everything = _csv_rows(client.get(f"{API}.csv", headers=w.headers(w.admin)).text)
    formula = next(r for r in everything if r["subject"] == "formula:1")
    assert formula["detail"] == '\'=HYPERLINK("http://evil")'


def test_the_page_lists_filters_and_downloads(client: TestClient, w: AuditWorld):
    browser = w.browser(client, w.manager)

    shown = browser.get("/admin/audit", params={"subject": "grade:"})
    download = browser.get("/admin/audit.csv", params={"subject": "grade:"})

    assert shown.status_code == 200
    assert "grade:13" in shown.text
    assert "grade:12" in shown.text
    assert "enrolment:7" not in shown.text
    assert 'href="/admin/audit.csv?subject=grade%3A"' in shown.text
    assert "Lola Learner" in shown.text
    assert "Aysel Away" not in shown.text
    assert download.status_code == 200
    assert [r["subject"] for r in _csv_rows(download.text)] == ["grade:13", "grade:12"]


def test_the_page_shows_a_filter_it_cannot_read_beside_its_field(client: TestClient, w: AuditWorld):
    browser = w.browser(client, w.admin)

    wrong_number = browser.get("/admin/audit", params={"person_id": "Lola"})
    reversed_period = browser.get("/admin/audit", params={"from": "2026-12-03", "to": "2026-12-01"})
    bad_download = browser.get("/admin/audit.csv", params={"to": "yesterday"})

    assert wrong_number.status_code == 400
    assert 'id="person_id-error"' in wrong_number.text
    assert "Enter a whole number." in wrong_number.text
    assert reversed_period.status_code == 400
    assert 'id="to-error"' in reversed_period.text
    assert "The end is before the start." in reversed_period.text
    assert bad_download.status_code == 422


def test_the_page_goes_on_to_the_next_page_with_its_filters(client: TestClient, w: AuditWorld):
    for n in range(55):
        w.add("grade.record", f"grade:{1000 + n}", person_id=w.learner.id)
    browser = w.browser(client, w.admin)

    first = browser.get("/admin/audit", params={"person_id": w.learner.id})

    assert first.text.count("<tr>") == 50 + 1  # the header row and fifty entries
    assert f"/admin/audit?person_id={w.learner.id}&amp;cursor=" in first.text


def test_the_administration_menu_links_to_the_trail(client: TestClient, w: AuditWorld):
    page = w.browser(client, w.manager).get("/admin/users")

    assert '<a href="/admin/audit">Audit trail</a>' in page.text


@pytest.mark.parametrize("url", [API, f"{API}.csv", "/admin/audit", "/admin/audit.csv"])
def test_reading_the_trail_costs_the_same_for_many_entries_as_for_few(
    client: TestClient, w: AuditWorld, queries: QueryCounter, url: str
):
    page = url.startswith("/admin")
    headers = None if page else w.headers(w.manager)
    if page:
        w.browser(client, w.manager)

    def grow(size: int) -> None:
        for n in range(size * 40):
            w.add("grade.record", f"grade:{2000 + n}", actor_user_id=w.teacher.id,
                  institution_id=w.home.id, person_id=w.learner.id)  # fmt: skip

    counts = at_two_sizes(grow, lambda: statements(client, queries, url, headers))

    assert counts[0] == counts[1], counts


def test_an_export_holds_the_newest_entries_up_to_its_limit(
    client: TestClient, w: AuditWorld, monkeypatch: pytest.MonkeyPatch
):
    from app.accounts import audit

    monkeypatch.setattr(audit, "EXPORT_LIMIT", 2)

    rows = _csv_rows(client.get(f"{API}.csv", headers=w.headers(w.admin)).text)

    assert [r["subject"] for r in rows] == ["GET /api/v1/users", "grade:13"]
