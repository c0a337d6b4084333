"""Two institutions, the shared scales, a registrar of each, and ways to write course results
into the ledger and call the grading-table API, for the grading-table tests."""

import itertools
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy.orm import Session

from app.accounts import auth
from app.accounts.deps import SESSION_COOKIE
from app.accounts.models import Institution, User
from app.core.actors import SYSTEM, PlatformRole
from app.core.config import Settings
from app.core.security import csrf_token_for, encode_access_token
from app.credits.models import CreditEntry, EntryKind, EntrySource
from app.credits.service import ledger
from app.credits.service.ledger import AwardedGrade, Unit
from app.grades.service.scales import load_scales
from app.seed import SEED_DIR
from tests.accounts.factories import bearer, make_api_client, make_institution, make_user

_units = itertools.count(1)
GROUP = {"isced_code": "0413", "eqf_level": 7}
TWO_YEARS = {"period_from": "2024-09-01", "period_to": "2026-08-31"}


@dataclass
class TablesWorld:
    db: Session
    settings: Settings
    home: Institution
    partner: Institution
    registrar: User
    partner_registrar: User
    student: User

    def award(
        self,
        grade: str,
        *,
        scale: str = "ru-5",
        on: date = date(2025, 6, 30),
        institution: Institution | None = None,
        isced_code: str = "0413",
        eqf_level: int = 7,
        source: EntrySource = EntrySource.COURSE_RESULT,
    ) -> CreditEntry:
        """A learner's passed course result, written into the ledger."""
        learner = make_user(self.db, institution=self.home)
        number = next(_units)
        return ledger.append(
            self.db,
            SYSTEM,
            Unit(
                code=f"TB-{number}",
                title="Health management",
                credits=Decimal(5),
                institution_id=(institution or self.home).id,
                isced_code=isced_code,
                eqf_level=eqf_level,
            ),
            AwardedGrade(grade=grade, value=Decimal(grade), scale_code=scale),
            user_id=learner.id,
            source=source,
            source_id=number,
            on=on,
        )

    def revoke(self, entry: CreditEntry) -> CreditEntry:
        unit = Unit(code=entry.unit_code, title=entry.unit_title, credits=Decimal(0))
        return ledger.append(
            self.db,
            SYSTEM,
            unit,
            AwardedGrade(),
            user_id=entry.user_id,
            source=entry.source,
            source_id=entry.source_id,
            on=entry.awarded_on,
            kind=EntryKind.REVOCATION,
            supersedes=entry,
            reason="Withdrawn",
        )

    def headers(self, user: User, scopes: str = "credits:read credits:write") -> dict[str, str]:
        token, _ = encode_access_token(self.settings, f"user:{user.id}", scopes.split())
        return bearer(token)

    def partner_system(self, scopes: list[str]) -> dict[str, str]:
        client = make_api_client(self.db, self.partner, scopes)
        token, _ = encode_access_token(self.settings, f"client:{client.id}", scopes)
        return bearer(token)

    def scope(self, owner: Institution | None = None, **extra: object) -> dict[str, object]:
        """The body naming a table: owner, reference group, ru-5, two academic years."""
        body: dict[str, object] = {
            "owner_institution_id": (owner or self.home).id,
            **GROUP,
            "scale_code": "ru-5",
            **TWO_YEARS,
        }
        return {**body, **extra}


def tables_world(db: Session, settings: Settings) -> TablesWorld:
    load_scales(db, SEED_DIR)
    home = make_institution(db, "TBHOME", country="RU")
    partner = make_institution(db, "TBPART", country="KZ")
    role = PlatformRole.INSTITUTION_MANAGER
    return TablesWorld(
        db,
        settings,
        home,
        partner,
        registrar=make_user(db, role=role, institution=home),
        partner_registrar=make_user(db, role=role, institution=partner),
        student=make_user(db, institution=home),
    )


def as_browser(client: TestClient, w: TablesWorld, user: User) -> TestClient:
    """The client signed in to the portal as `user`."""
    client.cookies.clear()
    client.cookies.set(SESSION_COOKIE, auth.start_session(w.db, w.settings, user, "t", "t"))
    w.db.flush()
    return client


def post_form(
    client: TestClient,
    w: TablesWorld,
    path: str,
    data: dict[str, str],
    files: dict[str, tuple[str, bytes]] | None = None,
) -> Response:
    csrf = csrf_token_for(w.settings, client.cookies[SESSION_COOKIE])
    return client.post(path, data={**data, "csrf_token": csrf}, files=files, follow_redirects=False)
