"""A programme of three courses awarded by one institution, a learner enrolled in it, its
registrar, two jury members, an outsider and another institution's manager; and shortcuts to
file, submit, name a jury and decide, for the recognition tests."""

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.accounts import auth
from app.accounts.auth import actor_for_user
from app.accounts.deps import SESSION_COOKIE
from app.accounts.models import Institution, User
from app.core.actors import Actor, PlatformRole
from app.core.config import Settings
from app.core.security import csrf_token_for, encode_access_token
from app.courses.models import Course, Programme, ProgrammeCourse, ProgrammeKind
from app.credits.recognition_models import Outcome
from app.credits.service import recognition, recognition_decision, recognition_jury
from app.credits.service.recognition import ApplicationView
from app.credits.service.recognition_decision import ItemDecision
from app.credits.service.recognition_jury import Member
from app.enrolment.models import ProgrammeEnrolment
from tests.accounts.factories import bearer, make_api_client, make_institution, make_user

D = Decimal


@dataclass
class RplWorld:
    db: Session
    settings: Settings
    home: Institution
    programme: Programme
    courses: list[Course]
    learner: User
    registrar: User
    chair: User
    member: User
    outsider: User
    manager_elsewhere: User

    def actor(self, user: User) -> Actor:
        return actor_for_user(user)

    def filed(
        self, *courses: Course, experience: str = "Ten years as a QA lead.",
        learner: User | None = None,
    ) -> ApplicationView:  # fmt: skip
        ids = [c.id for c in courses or self.courses[:1]]
        who = self.actor(learner or self.learner)
        return recognition.create(self.db, who, self.programme.id, ids, experience)

    def submitted(self, *courses: Course, learner: User | None = None) -> ApplicationView:
        view = self.filed(*courses, learner=learner)
        who = self.actor(learner or self.learner)
        return recognition.submit(self.db, who, view.application.id)

    def reviewed(self, *courses: Course, learner: User | None = None) -> ApplicationView:
        view = self.submitted(*courses, learner=learner)
        members = [Member(self.chair.id, chair=True), Member(self.member.id)]
        return recognition_jury.name_jury(
            self.db, self.actor(self.registrar), view.application.id, members
        )

    def another_learner(self) -> User:
        """One more learner of the home institution, enrolled in the programme."""
        user = make_user(self.db, institution=self.home)
        self.db.add(ProgrammeEnrolment(programme_id=self.programme.id, user_id=user.id))
        self.db.flush()
        return user

    def partner(self, scopes: list[str]) -> dict[str, str]:
        """A partner system of the home institution."""
        client = make_api_client(self.db, self.home, scopes)
        token, _ = encode_access_token(self.settings, f"client:{client.id}", scopes)
        return bearer(token)

    def decide(
        self, application_id: int, *items: ItemDecision, by: User | None = None
    ) -> ApplicationView:
        return recognition_decision.decide(
            self.db, self.actor(by or self.chair), self.settings, application_id, list(items)
        )

    def full(self, course: Course) -> ItemDecision:
        return ItemDecision(course.id, Outcome.FULL, "Ten years of practice cover it.")

    def headers(self, user: User) -> dict[str, str]:
        token, _ = encode_access_token(
            self.settings, f"user:{user.id}", sorted(auth.user_scopes_allowed(user))
        )
        return bearer(token)

    def browser(self, client: TestClient, user: User) -> TestClient:
        client.cookies.clear()
        client.cookies.set(
            SESSION_COOKIE, auth.start_session(self.db, self.settings, user, "t", "t")
        )
        self.db.flush()
        return client

    def post(self, client: TestClient, path: str, data: dict[str, object], **extra: object):
        csrf = csrf_token_for(self.settings, client.cookies[SESSION_COOKIE])
        return client.post(path, data={**data, "csrf_token": csrf}, follow_redirects=False, **extra)


def rpl_world(db: Session, settings: Settings, tmp_path: Path) -> RplWorld:
    settings.storage_dir = tmp_path
    home = make_institution(db, "RPLHOME")
    elsewhere = make_institution(db, "RPLELSE")
    courses = [
        Course(code=f"RPL-C{n}", title=f"Quality course {n}", ects=D(ects), institution_id=home.id)
        for n, ects in ((1, "6"), (2, "4"), (3, "5"))
    ]
    db.add_all(courses)
    programme = Programme(code="RPL-MAS", kind=ProgrammeKind.MASTER, title="Master of Quality")
    programme.institutions = [home]
    programme.courses = [
        ProgrammeCourse(course=c, semester=1, position=i) for i, c in enumerate(courses)
    ]
    db.add(programme)
    learner = make_user(db, email="applicant@example.org", institution=home, language="fr")
    db.flush()
    db.add(ProgrammeEnrolment(programme_id=programme.id, user_id=learner.id))
    world = RplWorld(
        db=db, settings=settings, home=home, programme=programme, courses=courses,
        learner=learner,
        registrar=make_user(db, role=PlatformRole.INSTITUTION_MANAGER, institution=home),
        chair=make_user(db, email="chair@example.org", institution=home),
        member=make_user(db, email="member@example.org", institution=home),
        outsider=make_user(db, institution=home),
        manager_elsewhere=make_user(
            db, role=PlatformRole.INSTITUTION_MANAGER, institution=elsewhere
        ),
    )  # fmt: skip
    db.flush()
    return world
