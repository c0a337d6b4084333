"""Issuing, reading, revoking and verifying signed documents. Issuing signs the content of
`transcript.py` as a JWS and keeps it as issued; a newer document of the same learner, kind
and programme or course supersedes the older. Verification is public: anyone holding a
document or its link learns whether it is genuine, who issued it, when, and whether it was
superseded or revoked."""

import json
import re
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from jose import jws
from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from app.accounts.models import Institution, User
from app.core.actors import Actor, require
from app.core.config import Settings
from app.core.db import utcnow
from app.core.errors import Conflict, Forbidden, Invalid, NotFound
from app.core.events import publish
from app.core.i18n import N_, SUPPORTED_LOCALES
from app.courses.models import Course, Programme
from app.credits import policy
from app.credits.document_models import DocumentKind, IssuedDocument
from app.credits.document_schemas import DocumentIssue
from app.credits.events import DocumentIssued
from app.credits.service import signing, transcript

UUID_PATTERN = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


class DocumentNotFound(NotFound):
    code = "document_not_found"
    title = N_("No such document.")


class LearnerNotFound(NotFound):
    code = "learner_not_found"
    title = N_("No such user.")


class CourseNotCompleted(Invalid):
    code = "course_not_completed"
    title = N_("A certificate is issued once the course is completed.")


class CourseAwardsCredits(Invalid):
    code = "course_awards_credits"
    title = N_("This course awards credits: ask for a transcript instead of a certificate.")


class WhatToCertify(Invalid):
    code = "document_subject_invalid"
    title = N_("Name the programme of a diploma supplement, or the course of a certificate.")


class DocumentAlreadyRevoked(Conflict):
    code = "document_revoked"
    title = N_("This document has already been revoked.")


@dataclass(frozen=True)
class Issued:
    """A document with what its readers are shown beside the record."""

    document: IssuedDocument
    payload: dict[str, Any]
    superseded_by: str | None


def verify_url(settings: Settings, public_id: str) -> str:
    return f"{settings.base_url.rstrip('/')}/verify/{public_id}"


def payload_of(document: IssuedDocument) -> dict[str, Any]:
    """The signed payload as issued (the signature was checked when it was made)."""
    claims: dict[str, Any] = json.loads(jws.get_unverified_claims(document.jws))
    return claims


def _learner(session: Session, actor: Actor, user_id: int) -> User:
    learner = session.get(User, user_id)
    if learner is None or not policy.knows_learner(actor, learner.id, learner.institution_id):
        raise LearnerNotFound()
    return learner


def _content(
    session: Session, learner: User, request: DocumentIssue
) -> tuple[dict[str, Any], Programme | None, Course | None]:
    if request.kind is DocumentKind.TRANSCRIPT:
        if request.programme is not None or request.course_id is not None:
            raise WhatToCertify(field="kind")
        return transcript.transcript_content(session, learner.id), None, None
    if request.kind is DocumentKind.DIPLOMA_SUPPLEMENT:
        programme = None
        if request.programme is not None and request.course_id is None:
            programme = session.scalar(select(Programme).where(Programme.code == request.programme))
        if programme is None:
            raise WhatToCertify(N_("No such programme."), field="programme")
        return transcript.supplement_content(session, learner.id, programme), programme, None
    course = None if request.course_id is None else session.get(Course, request.course_id)
    if course is None or request.programme is not None:
        raise WhatToCertify(N_("No such course."), field="course_id")
    if course.ects > 0:
        raise CourseAwardsCredits(field="course_id")
    completed_on = transcript.completion_date(session, learner.id, course)
    if completed_on is None:
        raise CourseNotCompleted(field="course_id")
    return transcript.certificate_content(session, learner.id, course, completed_on), None, course


def _language_of(learner: User) -> str:
    return learner.preferred_language if learner.preferred_language in SUPPORTED_LOCALES else "en"


def _same(column: InstrumentedAttribute[int | None], value: int | None) -> ColumnElement[bool]:
    return column.is_(None) if value is None else column == value


def issue(
    session: Session, actor: Actor, settings: Settings, user_id: int, request: DocumentIssue
) -> Issued:
    """Sign a new document for the learner (themselves, or a registrar within reach); the
    previous one of the same kind and programme or course is superseded by it."""
    learner = _learner(session, actor, user_id)
    require(policy.can_issue_document(actor, learner.id, learner.institution_id), Forbidden)
    content, programme, course = _content(session, learner, request)
    institution = (
        session.get(Institution, learner.institution_id) if learner.institution_id else None
    )
    language = request.language or _language_of(learner)
    public_id = str(uuid.uuid4())
    now = utcnow().replace(microsecond=0)
    payload = {
        "iss": settings.base_url.rstrip("/"),
        "sub": str(learner.id),
        "jti": public_id,
        "iat": int(now.timestamp()),
        "id": public_id,
        "kind": request.kind.value,
        "language": language,
        "issued_at": now.isoformat(),
        "issuer": transcript.institution_json(institution) or {"code": None, "name": "Agora"},
        "learner": {"id": learner.id, "name": learner.display_name},
        "verify_url": verify_url(settings, public_id),
        "content": content,
    }
    kid, token = signing.sign(session, settings, payload)
    previous = session.scalars(
        select(IssuedDocument).where(
            IssuedDocument.user_id == learner.id,
            IssuedDocument.kind == request.kind,
            _same(IssuedDocument.programme_id, programme.id if programme else None),
            _same(IssuedDocument.course_id, course.id if course else None),
            IssuedDocument.superseded_by_id.is_(None),
        )
    ).all()
    document = IssuedDocument(
        public_id=public_id,
        kind=request.kind,
        user_id=learner.id,
        programme_id=programme.id if programme else None,
        course_id=course.id if course else None,
        language=language,
        issued_at=now,
        issued_by_user_id=actor.user_id,
        kid=kid,
        jws=token,
    )
    session.add(document)
    session.flush()
    for older in previous:
        older.superseded_by_id = document.id
    session.flush()
    publish(session, DocumentIssued(document.id, learner.id, request.kind.value))
    return Issued(document, payload, None)


def documents_of(session: Session, actor: Actor, user_id: int) -> list[Issued]:
    """A learner's documents, newest first (the learner, registrars and partner systems
    within reach, with `credits:read`). One query."""
    learner = _learner(session, actor, user_id)
    require(policy.can_read_credits(actor, learner.id, learner.institution_id), Forbidden)
    found = session.scalars(
        select(IssuedDocument)
        .where(IssuedDocument.user_id == learner.id)
        .order_by(IssuedDocument.issued_at.desc(), IssuedDocument.id.desc())
    ).all()
    public_ids = {d.id: d.public_id for d in found}
    return [Issued(d, payload_of(d), public_ids.get(d.superseded_by_id or 0)) for d in found]


def _by_public_id(session: Session, public_id: str) -> IssuedDocument | None:
    if not UUID_PATTERN.fullmatch(public_id):
        return None
    return session.scalar(select(IssuedDocument).where(IssuedDocument.public_id == public_id))


def _readable(session: Session, actor: Actor, public_id: str) -> tuple[IssuedDocument, User]:
    document = _by_public_id(session, public_id)
    learner = None if document is None else session.get(User, document.user_id)
    if document is None or learner is None:
        raise DocumentNotFound()
    if not policy.knows_learner(actor, learner.id, learner.institution_id):
        raise DocumentNotFound()
    return document, learner


def _issued(session: Session, document: IssuedDocument) -> Issued:
    newer = (
        None
        if document.superseded_by_id is None
        else session.get(IssuedDocument, document.superseded_by_id)
    )
    return Issued(document, payload_of(document), newer.public_id if newer else None)


def read(session: Session, actor: Actor, public_id: str) -> Issued:
    """One document, for whoever may read the learner's credits."""
    document, learner = _readable(session, actor, public_id)
    require(policy.can_read_credits(actor, learner.id, learner.institution_id), Forbidden)
    return _issued(session, document)


def read_mine(session: Session, actor: Actor, public_id: str) -> Issued:
    """One of the signed-in learner's own documents; anybody else's does not exist here."""
    document = _by_public_id(session, public_id)
    if document is None or actor.user_id is None or document.user_id != actor.user_id:
        raise DocumentNotFound()
    return read(session, actor, public_id)


def revoke(session: Session, actor: Actor, public_id: str, reason: str) -> Issued:
    """A registrar within reach withdraws a document, saying why; verification says so from
    then on. A document is revoked once."""
    document, learner = _readable(session, actor, public_id)
    require(policy.can_revoke_document(actor, learner.institution_id), Forbidden)
    if document.revoked_at is not None:
        raise DocumentAlreadyRevoked()
    document.revoked_at = utcnow()
    document.revoked_reason = reason
    document.revoked_by_user_id = actor.user_id
    session.flush()
    return _issued(session, document)


@dataclass(frozen=True)
class Verification:
    valid: bool
    reason: str | None = None
    document: IssuedDocument | None = None
    payload: dict[str, Any] | None = None
    superseded_by: str | None = None

    @property
    def issuer(self) -> str | None:
        return None if self.payload is None else str(self.payload["issuer"]["name"])

    @property
    def learner(self) -> str | None:
        return None if self.payload is None else str(self.payload["learner"]["name"])

    @property
    def issued_at(self) -> datetime | None:
        return None if self.document is None else self.document.issued_at


NOT_OURS = N_("This is not a document signed by Agora, or it was changed after signing.")
UNKNOWN = N_("No document with this id was issued.")


def _checked(session: Session, token: str, expected: IssuedDocument | None) -> Verification:
    try:
        verified = signing.verify(session, token)
    except signing.SignatureInvalid:
        return Verification(False, NOT_OURS)
    document = expected or _by_public_id(session, str(verified.payload.get("id", "")))
    if document is None or document.jws != token:
        return Verification(False, UNKNOWN)
    newer = _issued(session, document).superseded_by
    return Verification(True, None, document, verified.payload, newer)


def verify_token(session: Session, token: str) -> Verification:
    """A document as handed over (its compact JWS): genuine and on record, and its status."""
    return _checked(session, token.strip(), None)


def verify_id(session: Session, reference: str) -> Verification:
    """A document by its id or its verification link."""
    found = UUID_PATTERN.search(reference.lower())
    document = _by_public_id(session, found.group(0)) if found else None
    if document is None:
        return Verification(False, UNKNOWN)
    return _checked(session, document.jws, document)


def verify_text(session: Session, text: str) -> Verification:
    """What a person pasted: a link or an id, or the document itself."""
    cleaned = text.strip()
    if cleaned.count(".") == 2 and " " not in cleaned and "/" not in cleaned:
        return verify_token(session, cleaned)
    return verify_id(session, cleaned)
