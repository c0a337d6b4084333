"""Recognition pages: every signed-in person has their own list and may file in a programme
they are enrolled in; a learner's application (of the course's institution, P1) is changed
by its learner alone — its jury (the teacher chairs, the person outside the course sits)
and the manager see it and are refused (403), the others are told it does not exist. The
manager names the jury; the chair and the manager record the decision."""

import io
import itertools

from sqlalchemy import select

from app.accounts.auth import actor_for_user
from app.accounts.models import Institution, User
from app.core.actors import SYSTEM
from app.courses.models import Programme
from app.credits.service import recognition, recognition_evidence, recognition_jury
from app.credits.service.recognition_jury import Member
from app.enrolment.models import ProgrammeEnrolment
from tests.accounts.factories import make_user
from tests.test_page_permission_matrix import (
    LOGIN,
    OUT,
    TEA,
    World,
    answers,
    page,
    signed_in,
)

MINE = "/me/credits/recognition/{application_id}"
REVIEW = "/credits/recognition/{application_id}"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
LEARNERS_ONLY = answers(LOGIN, 403, 404, 403, 403, 404)
SEEN = answers(LOGIN, 200, 404, 200, 200, 404)
_names = itertools.count(1)


def _programme(w: World) -> int:
    return w.db.scalars(select(Programme.id).where(Programme.code == "HS-CERT")).one()


def _enrol(w: World, user_id: int) -> None:
    programme_id = _programme(w)
    known = w.db.scalar(
        select(ProgrammeEnrolment.id).where(
            ProgrammeEnrolment.programme_id == programme_id, ProgrammeEnrolment.user_id == user_id
        )
    )
    if known is None:
        w.db.add(ProgrammeEnrolment(programme_id=programme_id, user_id=user_id))
        w.db.flush()


def _everyone_enrolled(w: World) -> dict[str, object]:
    for user_id in w.people.values():
        _enrol(w, user_id)
    return {"data": {"programme_id": str(_programme(w))}}


def _application(w: World) -> tuple[int, int]:
    """A fresh learner's application under review with one evidence file: their ids."""
    victim = w.db.get_one(User, w.victim_id)
    institution = w.db.get(Institution, victim.institution_id)
    learner = make_user(w.db, institution=institution)
    _enrol(w, learner.id)
    actor = actor_for_user(learner)
    application_id = recognition.create(
        w.db, actor, _programme(w), [w.course.id], "Years of practice."
    ).application.id
    evidence = recognition_evidence.add_evidence(
        w.db, actor, w.settings, application_id, io.BytesIO(PDF), f"cv{next(_names)}.pdf"
    )
    recognition.submit(w.db, actor, application_id)
    members = [Member(w.people[TEA], chair=True), Member(w.people[OUT])]
    recognition_jury.name_jury(w.db, SYSTEM, application_id, members)
    w.db.flush()
    return application_id, evidence.id


def _one(w: World, **extra: object) -> dict[str, object]:
    return {"application_id": _application(w)[0], **extra}


def _evidence(w: World) -> dict[str, object]:
    application_id, evidence_id = _application(w)
    return {"application_id": application_id, "evidence_id": evidence_id}


def _jury(w: World) -> dict[str, object]:
    emails = [w.db.get_one(User, w.people[who]).email for who in (TEA, OUT)]
    return _one(w, data={"member_email": [*emails, "", "", ""], "chair": "0"})


def _decision(w: World) -> dict[str, object]:
    data = {
        "course_id": str(w.course.id), "outcome": "full", "credits": "", "remaining": "",
        "reason": "Proven by practice.",
    }  # fmt: skip
    return _one(w, data=data)


page("GET", "/me/credits/recognition", signed_in(200))
page("POST", "/me/credits/recognition", signed_in(303), _everyone_enrolled)
page("GET", MINE, LEARNERS_ONLY, _one)
page("POST", MINE, LEARNERS_ONLY, lambda w: _one(w, data={"experience": "More"}))
page(
    "POST", MINE + "/evidence", LEARNERS_ONLY,
    lambda w: _one(w, files={"file": ("more.pdf", PDF, "application/pdf")}),
)  # fmt: skip
page("POST", MINE + "/evidence/{evidence_id}/delete", LEARNERS_ONLY, _evidence)
page("POST", MINE + "/submit", LEARNERS_ONLY, _one)
page("POST", MINE + "/delete", LEARNERS_ONLY, _one)
page("POST", MINE + "/withdraw", LEARNERS_ONLY, _one)
page("GET", REVIEW + "/evidence/{evidence_id}", SEEN, _evidence)
page("GET", "/admin/credits/recognition", answers(LOGIN, 403, 403, 403, 200, 200))
page("GET", "/credits/recognition/jury", signed_in(200))
page("GET", REVIEW, SEEN, _one)
page("POST", REVIEW + "/jury", answers(LOGIN, 403, 404, 403, 303, 404), _jury)
page("POST", REVIEW + "/decision", answers(LOGIN, 403, 404, 303, 303, 404), _decision)
