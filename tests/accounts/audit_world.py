"""Two institutions with a manager, a teacher and a learner each, a platform admin, and ways to
call the API and the pages as any of them with a request id of the test's choosing, for the
audit trail's tests. The clock stands still at NOON."""

import itertools
from dataclasses import dataclass
from datetime import UTC, datetime

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts import auth
from app.accounts.deps import SESSION_COOKIE
from app.accounts.models import AuditEntry, AuditOutcome, Institution, User
from app.core.actors import PlatformRole
from app.core.config import Settings
from app.core.security import csrf_token_for, encode_access_token
from tests.accounts.factories import bearer, make_api_client, make_institution, make_user

NOON = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)
_requests = itertools.count(1)


def request_id() -> str:
    """A fresh request id, as a caller may send it in `X-Request-ID`."""
    return f"audit-test-{next(_requests):04d}"


@dataclass
class AuditWorld:
    db: Session
    settings: Settings
    home: Institution
    away: Institution
    admin: User
    manager: User  # the institution manager of `home`
    manager_away: User  # the institution manager of `away`
    teacher: User  # of `home`
    learner: User  # of `home`
    learner_away: User  # of `away`

    def headers(self, user: User, request: str | None = None) -> dict[str, str]:
        """A person's bearer token (every scope a person's token may carry)."""
        scopes = sorted(auth.user_scopes_allowed(user))
        token, _ = encode_access_token(self.settings, f"user:{user.id}", scopes)
        return {**bearer(token), "X-Request-ID": request or request_id()}

    def client_headers(
        self, institution: Institution, scopes: list[str], request: str | None = None
    ) -> tuple[int, dict[str, str]]:
        """A partner system of `institution`: its id and its token."""
        client = make_api_client(self.db, institution, scopes)
        token, _ = encode_access_token(self.settings, f"client:{client.id}", scopes)
        return client.id, {**bearer(token), "X-Request-ID": request or request_id()}

    def browser(self, client: TestClient, user: User) -> TestClient:
        client.cookies.clear()
        client.cookies.set(
            SESSION_COOKIE, auth.start_session(self.db, self.settings, user, "t", "t")
        )
        self.db.flush()
        return client

    def csrf(self, client: TestClient) -> str:
        return csrf_token_for(self.settings, client.cookies[SESSION_COOKIE])

    def entries(self, action: str | None = None, **where: object) -> list[AuditEntry]:
        """The entries so far (of one action, matching `where`), oldest first."""
        self.db.expire_all()
        stmt = select(AuditEntry).order_by(AuditEntry.id)
        if action is not None:
            stmt = stmt.where(AuditEntry.action == action)
        for name, value in where.items():
            stmt = stmt.where(getattr(AuditEntry, name) == value)
        return list(self.db.scalars(stmt))

    def add(self, action: str, subject: str, **values: object) -> AuditEntry:
        """An entry written straight into the trail, for the readers' tests."""
        entry = AuditEntry(action=action, subject=subject, outcome=AuditOutcome.DONE, **values)
        self.db.add(entry)
        self.db.flush()
        return entry


def audit_world(db: Session, settings: Settings) -> AuditWorld:
    home = make_institution(db, "AUHOME", "KZ")
    away = make_institution(db, "AUAWAY", "AZ")
    world = AuditWorld(
        db=db, settings=settings, home=home, away=away,
        admin=make_user(db, email="admin@example.org", role=PlatformRole.ADMIN),
        manager=make_user(
            db, email="manager@example.org", role=PlatformRole.INSTITUTION_MANAGER,
            institution=home,
        ),
        manager_away=make_user(
            db, email="away-manager@example.org", role=PlatformRole.INSTITUTION_MANAGER,
            institution=away,
        ),
        teacher=make_user(db, email="teacher@example.org", institution=home),
        learner=make_user(db, email="learner@example.org", institution=home),
        learner_away=make_user(db, email="learner-away@example.org", institution=away),
    )  # fmt: skip
    world.admin.display_name = "Aliya Admin"
    world.manager.display_name = "Marat Manager"
    world.manager_away.display_name = "Aysel Away"
    world.teacher.display_name = "Timur Teacher"
    world.learner.display_name = "Lola Learner"
    world.learner_away.display_name = "Leyla Away"
    db.flush()
    return world
