"""Pages of signed documents: the learner's own (`/me/credits/documents`: issue a transcript,
a diploma supplement or a certificate, download the PDF, copy the share link), the public
verification page (`/verify`, `/verify/{id}`) and the public key set that lets anyone verify a
document offline (`/.well-known/jwks.json`)."""

from typing import Annotated, Any

from fastapi import Form, Request
from fastapi.responses import JSONResponse, Response

from app.accounts.deps import CurrentUser, PortalActor, SettingsDep, page_router
from app.accounts.models import User
from app.core.actors import Actor
from app.core.db import SessionDep
from app.core.downloads import attachment_headers
from app.core.forms import attempt_form
from app.core.i18n import LANGUAGE_NAMES
from app.core.web import render, see_other
from app.credits.document_models import DocumentKind
from app.credits.document_schemas import MAX_JWS_CHARS, DocumentIssue, Language
from app.credits.service import documents, pdf, signing, transcript

router = page_router()
MINE = "/me/credits/documents"
FormCode = Annotated[str, Form(max_length=64)]


@router.get("/.well-known/jwks.json")
def published_keys(session: SessionDep) -> JSONResponse:
    """Every document-signing key, current and retired, as a JWK Set."""
    return JSONResponse(
        signing.key_set(session),
        headers={"Cache-Control": "public, max-age=300"},
        media_type="application/jwk-set+json",
    )


def _mine(
    request: Request,
    session: SessionDep,
    actor: Actor,
    user: User,
    settings: SettingsDep,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    programmes, courses = transcript.issuable_subjects(session, user.id)
    context: dict[str, Any] = {
        "issued": documents.documents_of(session, actor, user.id),
        "programmes": programmes,
        "courses": courses,
        "languages": sorted({user.preferred_language, "en"} & set(LANGUAGE_NAMES)),
        "language_names": LANGUAGE_NAMES,
        "default_language": user.preferred_language,
        "verify_url": lambda public_id: documents.verify_url(settings, public_id),
        "errors": errors or {},
    }
    return render(request, "credits/documents.html", context, status=status)


@router.get(MINE)
def my_documents(
    request: Request,
    session: SessionDep,
    actor: PortalActor,
    user: CurrentUser,
    settings: SettingsDep,
) -> Response:
    return _mine(request, session, actor, user, settings)


@router.post(MINE)
def issue_my_document(
    request: Request,
    session: SessionDep,
    actor: PortalActor,
    user: CurrentUser,
    settings: SettingsDep,
    kind: FormCode,
    language: FormCode = "",
    programme: FormCode = "",
    course_id: FormCode = "",
) -> Response:
    # One form per kind: each sends only the subject its kind takes.
    subject: dict[str, str | None] = {
        "programme": (programme or None) if kind == DocumentKind.DIPLOMA_SUPPLEMENT else None,
        "course_id": (course_id or None) if kind == DocumentKind.CERTIFICATE else None,
    }
    with attempt_form(request, session) as attempt:
        data = DocumentIssue.model_validate({"kind": kind, "language": language or None, **subject})
        documents.issue(session, actor, settings, user.id, data)
    if attempt.refused:
        return _mine(request, session, actor, user, settings, attempt.errors, 422)
    return see_other(MINE)


@router.get(MINE + "/{document_id}/pdf")
def my_document_pdf(
    session: SessionDep,
    actor: PortalActor,
    _user: CurrentUser,
    document_id: str,
    lang: Language | None = None,
) -> Response:
    issued = documents.read_mine(session, actor, document_id[:64])
    body = pdf.render(issued.payload, lang or issued.document.language)
    name = f"{issued.document.kind.value}-{issued.document.public_id}.pdf"
    return Response(body, media_type="application/pdf", headers=attachment_headers(name))


def _verification(
    request: Request, result: documents.Verification | None, pasted: str = "", status: int = 200
) -> Response:
    context = {"result": result, "pasted": pasted}
    return render(request, "credits/verify.html", context, status=status)


@router.get("/verify")
def verify_form(request: Request, _actor: PortalActor) -> Response:
    return _verification(request, None)


@router.post("/verify")
def verify_pasted(
    request: Request,
    session: SessionDep,
    _actor: PortalActor,
    document: Annotated[str, Form(max_length=MAX_JWS_CHARS)] = "",
) -> Response:
    if not document.strip():
        return _verification(request, None, status=422)
    return _verification(request, documents.verify_text(session, document), document)


@router.get("/verify/{document_id}")
def verify_link(
    request: Request, session: SessionDep, _actor: PortalActor, document_id: str
) -> Response:
    return _verification(request, documents.verify_id(session, document_id[:64]))
