"""Signed transcripts, diploma supplements and certificates over the API, and their public
verification."""

from typing import Annotated

from fastapi import APIRouter, Path, Response

from app.accounts.deps import ApiActor, SettingsDep, SignedInApiActor
from app.core.config import Settings
from app.core.db import SessionDep
from app.core.downloads import attachment_headers
from app.core.inputs import Id
from app.core.routes import DeferredRoute
from app.credits.document_schemas import (
    DocumentIssue,
    DocumentRead,
    Language,
    RevocationCreate,
    VerificationRead,
    VerificationRequest,
)
from app.credits.service import documents, pdf

router = APIRouter(tags=["credits"], route_class=DeferredRoute)
PublicId = Annotated[str, Path(min_length=1, max_length=64)]


def document_read(settings: Settings, issued: documents.Issued) -> DocumentRead:
    document = issued.document
    content = issued.payload.get("content", {})
    return DocumentRead(
        id=document.public_id,
        kind=document.kind,
        user_id=document.user_id,
        programme=content.get("programme", {}).get("code"),
        course_id=document.course_id,
        language=document.language,
        issued_at=document.issued_at,
        kid=document.kid,
        jws=document.jws,
        payload=issued.payload,
        verify_url=documents.verify_url(settings, document.public_id),
        superseded_by=issued.superseded_by,
        revoked_at=document.revoked_at,
        revoked_reason=document.revoked_reason,
    )


def verification_read(result: documents.Verification) -> VerificationRead:
    document = result.document
    return VerificationRead(
        valid=result.valid,
        reason=result.reason,
        id=document.public_id if document else None,
        kind=document.kind if document else None,
        issuer=result.issuer,
        learner=result.learner,
        issued_at=result.issued_at,
        kid=document.kid if document else None,
        superseded=result.superseded_by is not None,
        superseded_by=result.superseded_by,
        revoked=bool(document and document.revoked_at),
        revoked_at=document.revoked_at if document else None,
        revoked_reason=document.revoked_reason if document and document.revoked_at else None,
    )


@router.post("/users/{user_id}/documents", response_model=DocumentRead, status_code=201)
def issue_document(
    user_id: Id,
    data: DocumentIssue,
    session: SessionDep,
    actor: SignedInApiActor,
    settings: SettingsDep,
) -> DocumentRead:
    """Sign a new document for a learner: `transcript` (every credit in force), or
    `diploma_supplement` with a `programme` code, or `certificate` with the `course_id` of a
    completed course that awards no credit. The learner issues their own, registrars within
    reach theirs. It supersedes the learner's previous document of the same kind and
    programme or course."""
    return document_read(settings, documents.issue(session, actor, settings, user_id, data))


@router.get("/users/{user_id}/documents", response_model=list[DocumentRead])
def list_documents(
    user_id: Id, session: SessionDep, actor: SignedInApiActor, settings: SettingsDep
) -> list[DocumentRead]:
    """A learner's documents, newest first, superseded and revoked ones included. A partner
    system (`credits:read`) reads its institution's learners only."""
    return [document_read(settings, d) for d in documents.documents_of(session, actor, user_id)]


@router.get("/documents/{document_id}", response_model=DocumentRead)
def read_document(
    document_id: PublicId, session: SessionDep, actor: SignedInApiActor, settings: SettingsDep
) -> DocumentRead:
    """One document: its record, its signed compact JWS (`jws`) and the payload it signs."""
    return document_read(settings, documents.read(session, actor, document_id))


@router.get("/documents/{document_id}/pdf", response_class=Response)
def download_pdf(
    document_id: PublicId,
    session: SessionDep,
    actor: SignedInApiActor,
    lang: Language | None = None,
) -> Response:
    """The document as a PDF rendered from its signed payload, in its language or in the one
    asked for (`?lang=en`), as an attachment."""
    issued = documents.read(session, actor, document_id)
    body = pdf.render(issued.payload, lang or issued.document.language)
    name = f"{issued.document.kind.value}-{issued.document.public_id}.pdf"
    return Response(body, media_type="application/pdf", headers=attachment_headers(name))


@router.post("/documents/{document_id}/revocations", response_model=DocumentRead, status_code=201)
def revoke_document(
    document_id: PublicId,
    data: RevocationCreate,
    session: SessionDep,
    actor: SignedInApiActor,
    settings: SettingsDep,
) -> DocumentRead:
    """Revoke a document with a reason (registrars within reach of the learner); its
    verification says so from then on. A document is revoked once (409 after)."""
    issued = documents.revoke(session, actor, document_id, data.reason)
    return document_read(settings, issued)


@router.post("/documents/verify", response_model=VerificationRead)
def verify_document(
    data: VerificationRequest, session: SessionDep, _actor: ApiActor
) -> VerificationRead:
    """Public, no token needed. Send the document (`{"jws": "<compact JWS>"}`) or its id or
    verification link (`{"id": "…"}`): the answer says whether it is valid (signed by one of
    the keys at `/.well-known/jwks.json` and on record), who issued it, when, and whether it
    was superseded or revoked. Offline, any JOSE library verifies the JWS with that key set."""
    if data.jws is not None:
        return verification_read(documents.verify_token(session, data.jws))
    return verification_read(documents.verify_id(session, data.id or ""))
