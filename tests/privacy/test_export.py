"""A person's data export: every row that points at them, readable, without secrets, with
their files; theirs to download, or a privacy officer's for a person in their reach; audited."""

import io
import json
import zipfile
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import or_, select

from app.accounts.models import AuditEntry
from app.core.actors import SYSTEM, PlatformRole
from app.privacy.service import officers, tables
from app.privacy.service.coverage import RULES, Export
from tests.accounts.factories import make_api_client, make_institution, make_user
from tests.privacy.privacy_world import (
    EMAIL,
    EVIDENCE,
    NAME,
    POSTED,
    SUBMITTED,
    PrivacyWorld,
    browser_of,
    headers_for,
    named,
)

pytestmark = pytest.mark.time_machine(datetime(2026, 12, 7, 9, tzinfo=UTC), tick=False)


def _archive(body: bytes) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(body))


def _table(archive: zipfile.ZipFile, name: str) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = json.loads(archive.read(f"tables/{name}.json"))
    return rows


def _mine(client: TestClient, w: PrivacyWorld) -> zipfile.ZipFile:
    response = client.get("/api/v1/me/personal-data", headers=headers_for(client, w.person))
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/zip"
    assert response.headers["content-disposition"].startswith("attachment;")
    return _archive(response.content)


def test_my_export_holds_my_account_profile_and_records_readably(client: TestClient, w):
    archive = _mine(client, w)

    [account] = _table(archive, "users")
    assert (account["email"], account["display_name"]) == (EMAIL, NAME)
    assert "password_hash" not in account
    assert datetime.fromisoformat(account["created_at"]).tzinfo is not None
    [profile] = _table(archive, "learner_profiles")
    assert (profile["nationality"], profile["refugee"]) == ("MM", True)
    [grade] = _table(archive, "grades")
    assert grade["points"] == "14.50"
    assert {row["sender_id"] for row in _table(archive, "private_messages")} == {
        w.person.id,
        w.teacher.id,
    }


def test_no_secret_is_exported(client: TestClient, w):
    archive = _mine(client, w)
    manifest = json.loads(archive.read("manifest.json"))

    for name in ("user_sessions", "refresh_tokens", "password_reset_tokens"):
        rows = _table(archive, name)
        assert rows, name
        assert all("token_digest" not in row for row in rows), name
        assert "token_digest" in manifest["tables"][name]["withheld"]
    assert all("family" not in row for row in _table(archive, "refresh_tokens"))


def test_my_export_holds_the_files_i_uploaded(client: TestClient, w):
    archive = _mine(client, w)
    manifest = json.loads(archive.read("manifest.json"))

    contents = {archive.read(entry["path"]) for entry in manifest["files"]}
    assert contents == {SUBMITTED, POSTED, EVIDENCE}
    assert {entry["table"] for entry in manifest["files"]} == {
        "submission_files",
        "forum_post_files",
        "recognition_evidence",
    }


def test_every_row_pointing_at_the_person_is_exported(client: TestClient, w):
    archive = _mine(client, w)
    manifest = json.loads(archive.read("manifest.json"))
    missing = {}
    for name in tables.tables_pointing_at_people():
        rule = RULES[name].export
        assert isinstance(rule, Export)
        table = tables.table(name)
        on = rule.on or tuple(tables.person_columns(table))
        key = next(iter(table.primary_key.columns))
        theirs = set(w.db.scalars(select(key).where(or_(*(table.c[c] == w.person.id for c in on)))))
        exported = {row[key.name] for row in _table(archive, name)} if theirs else set()
        if not theirs <= exported:
            missing[name] = theirs - exported
        assert manifest["tables"][name]["rows"] >= len(theirs)

    assert missing == {}


def test_others_rows_are_not_in_my_export(client: TestClient, w):
    archive = _mine(client, w)

    assert {row["user_id"] for row in _table(archive, "enrolments")} == {w.person.id}
    assert "Bounmy Sisavath" not in archive.read("tables/users.json").decode()


def test_every_export_is_audited(client: TestClient, w):
    _mine(client, w)
    client.get(f"/api/v1/users/{w.person.id}/personal-data", headers=headers_for(client, w.officer))

    actors = w.db.scalars(
        select(AuditEntry.actor_user_id).where(
            AuditEntry.action == "privacy.export", AuditEntry.subject == f"user:{w.person.id}"
        )
    )
    assert sorted(actors) == sorted([w.person.id, w.officer.id])


def test_an_officer_exports_a_person_in_reach_and_nobody_else_does(client: TestClient, w):
    at_home = named(w.db, "Home Officer", role=PlatformRole.INSTITUTION_MANAGER, institution=w.home)
    elsewhere = named(
        w.db,
        "Far Officer",
        role=PlatformRole.INSTITUTION_MANAGER,
        institution=make_institution(w.db),
    )
    for officer in (at_home, elsewhere):
        officers.grant(w.db, SYSTEM, officer.id)
    manager = named(w.db, "Mina Manager", role=PlatformRole.MANAGER)
    url = f"/api/v1/users/{w.person.id}/personal-data"

    def status(user) -> int:
        return client.get(url, headers=headers_for(client, user)).status_code

    assert status(w.officer) == 200
    assert status(at_home) == 200
    assert status(elsewhere) == 404
    assert status(w.classmate) == 404
    refused = client.get(url, headers=headers_for(client, manager))
    assert refused.status_code == 403
    assert refused.json()["code"] == "not_a_privacy_officer"
    assert status(w.admin) == 403  # no grant
    assert status(w.person) == 200  # their own


def test_a_partner_system_is_no_person(client: TestClient, w):
    from app.core.security import encode_access_token
    from tests.accounts.factories import bearer

    partner = make_api_client(w.db, w.home, ["users:read"])
    token, _ = encode_access_token(w.settings, f"client:{partner.id}", ["users:read"])

    assert client.get("/api/v1/me/personal-data", headers=bearer(token)).status_code == 404


def test_my_privacy_page_is_linked_from_my_profile_and_downloads_my_data(client: TestClient, w):
    browser = browser_of(client, w.person)

    assert 'href="/profile/personal-data"' in browser.get("/profile").text
    page = browser.get("/profile/personal-data")
    assert page.status_code == 200
    assert 'href="/profile/personal-data/export"' in page.text
    download = browser.get("/profile/personal-data/export")
    assert download.headers["content-type"] == "application/zip"
    assert "users" in json.loads(_archive(download.content).read("manifest.json"))["tables"]


def test_the_officer_downloads_from_the_persons_erasure_page(client: TestClient, w):
    browser = browser_of(client, w.officer)

    page = browser.get(f"/admin/privacy/people/{w.person.id}")
    assert f'href="/admin/privacy/people/{w.person.id}/export"' in page.text
    download = browser.get(f"/admin/privacy/people/{w.person.id}/export")
    assert download.status_code == 200
    assert _table(_archive(download.content), "users")[0]["email"] == EMAIL


def test_someone_new_gets_their_account_their_sign_in_and_this_export(client: TestClient, db):
    newcomer = make_user(db, password="correct horse battery")
    archive = _archive(
        client.get("/api/v1/me/personal-data", headers=headers_for(client, newcomer)).content
    )

    assert sorted(n for n in archive.namelist() if n.startswith("tables/")) == [
        "tables/audit_log.json",
        "tables/refresh_tokens.json",
        "tables/users.json",
    ]
    [entry] = _table(archive, "audit_log")
    assert (entry["action"], entry["subject"]) == ("privacy.export", f"user:{newcomer.id}")
