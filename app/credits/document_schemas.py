"""Input and output shapes of signed documents and their verification."""

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field, model_validator

from app.core.inputs import Id, StrictInput
from app.credits.document_models import DocumentKind

Language = Literal["en", "fr", "ru", "ar"]
# A compact ES256 JWS of a long transcript is well under this; anything longer is not ours.
MAX_JWS_CHARS = 200_000


class DocumentIssue(StrictInput):
    """A document to issue: a transcript (no programme, no course), a diploma supplement (a
    programme's code) or a certificate (a course that awards no credit, by id)."""

    kind: DocumentKind
    programme: str | None = Field(default=None, min_length=1, max_length=32)
    course_id: Id | None = None
    language: Language | None = None  # the learner's language when they read one of ours


class RevocationCreate(StrictInput):
    reason: str = Field(min_length=1, max_length=1000)


class VerificationRequest(StrictInput):
    """Either the document itself (`jws`, its compact serialisation) or its `id` — the id
    alone or the verification link printed on the PDF."""

    jws: str | None = Field(default=None, min_length=1, max_length=MAX_JWS_CHARS)
    id: str | None = Field(default=None, min_length=1, max_length=2000)

    @model_validator(mode="after")
    def _exactly_one(self) -> "VerificationRequest":
        if (self.jws is None) == (self.id is None):
            raise ValueError("Send either `jws` or `id`.")
        return self


class DocumentRead(BaseModel):
    id: str
    kind: DocumentKind
    user_id: int
    programme: str | None
    course_id: int | None
    language: str
    issued_at: datetime
    kid: str
    jws: str
    payload: dict[str, Any]
    verify_url: str
    superseded_by: str | None
    revoked_at: datetime | None
    revoked_reason: str


class VerificationRead(BaseModel):
    """`valid`: the signature matches one of our published keys and the document is on record.
    A valid document may still be superseded by a newer one or revoked."""

    valid: bool
    reason: str | None
    id: str | None
    kind: DocumentKind | None
    issuer: str | None
    learner: str | None
    issued_at: datetime | None
    kid: str | None
    superseded: bool
    superseded_by: str | None
    revoked: bool
    revoked_at: datetime | None
    revoked_reason: str | None
