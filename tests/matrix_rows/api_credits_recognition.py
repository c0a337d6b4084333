"""Recognition of prior learning over the API: a learner of the clients' institution (P77)
files for the programme it awards; the course's teacher chairs the jury, its tutor sits on it.
People list their own applications (everyone signed in), only the learner changes theirs
(those who see it are refused, 403; others are told it does not exist), coordinators name the
jury, the chair and coordinators decide. Partner systems read and write none of it; the
manager of another institution reaches neither the learner nor the programme."""

import io
import itertools

from sqlalchemy import select

from app.accounts.auth import actor_for_user
from app.accounts.models import User
from app.core.actors import SYSTEM
from app.courses.models import Programme
from app.credits.service import recognition, recognition_evidence, recognition_jury
from app.credits.service.recognition_jury import Member
from app.enrolment.models import ProgrammeEnrolment
from tests.test_permission_matrix import TEA, TUT, World, register

A = "/api/v1/credits/recognition/applications"
ONE = A + "/{application_id}"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
_names = itertools.count(1)

PEOPLE_LIST = "401 | 200 200 200 200 | 200 200 | 403 403 | 403 200"
PEOPLE_FILE = "401 | 201 201 201 201 | 201 201 | 403 403 | 403 201"
SEEN_NOT_THEIRS = "401 | 404 404 403 403 | 403 403 | 404 404 | 404 404"
READ = "401 | 404 404 200 200 | 200 200 | 404 404 | 404 404"
JURY = "401 | 404 404 403 403 | 200 200 | 404 404 | 404 404"
DECIDE = "401 | 404 404 403 201 | 201 201 | 404 404 | 404 404"


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
    elsewhere = w.db.scalars(select(User.id).where(User.email == "moi@example.org"))
    for user_id in (*w.people.values(), *elsewhere):
        _enrol(w, user_id)
    return {"json": {"programme_id": _programme(w), "course_ids": []}}


def _submitted(w: World, *, jury: bool = False) -> tuple[int, int]:
    """A fresh learner's submitted application for the course, with one evidence file; its
    id and the file's."""
    learner = w.db.get_one(User, w.fresh_user())
    _enrol(w, learner.id)
    actor = actor_for_user(learner)
    view = recognition.create(w.db, actor, _programme(w), [w.course.id], "Years of practice.")
    application_id = view.application.id
    evidence = recognition_evidence.add_evidence(
        w.db, actor, w.settings, application_id, io.BytesIO(PDF), f"cv{next(_names)}.pdf"
    )
    recognition.submit(w.db, actor, application_id)
    if jury:
        members = [Member(w.people[TEA], chair=True), Member(w.people[TUT])]
        recognition_jury.name_jury(w.db, SYSTEM, application_id, members)
    w.db.flush()
    return application_id, evidence.id


def _one(w: World, **extra: object) -> dict[str, object]:
    application_id, _ = _submitted(w, jury=True)
    return {"application_id": application_id, **extra}


def _evidence(w: World) -> dict[str, object]:
    application_id, evidence_id = _submitted(w, jury=True)
    return {"application_id": application_id, "evidence_id": evidence_id}


def _decision(w: World) -> dict[str, object]:
    item = {"course_id": w.course.id, "outcome": "full", "reason": "Proven by practice."}
    return _one(w, json={"items": [item]})


def _jury(w: World) -> dict[str, object]:
    members = [{"user_id": w.people[TEA], "chair": True}, {"user_id": w.people[TUT]}]
    return _one(w, json={"members": members})


register("get", A, PEOPLE_LIST, lambda w: {})
register("post", A, PEOPLE_FILE, _everyone_enrolled)
register("get", ONE, READ, _one)
register("put", ONE, SEEN_NOT_THEIRS, lambda w: _one(w, json={"course_ids": []}))
register("delete", ONE, SEEN_NOT_THEIRS, _one)
register("post", ONE + "/submit", SEEN_NOT_THEIRS, _one)
register("post", ONE + "/withdraw", SEEN_NOT_THEIRS, _one)
register(
    "post", ONE + "/evidence", SEEN_NOT_THEIRS,
    lambda w: _one(w, files={"file": ("more.pdf", PDF, "application/pdf")}),
)  # fmt: skip
register("get", ONE + "/evidence/{evidence_id}", READ, _evidence)
register("delete", ONE + "/evidence/{evidence_id}", SEEN_NOT_THEIRS, _evidence)
register("put", ONE + "/jury", JURY, _jury)
register("post", ONE + "/decision", DECIDE, _decision)
