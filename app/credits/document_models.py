"""Signed documents: the public halves of the signing keys (so every app server publishes the
same key set) and the documents issued with them — transcripts of records, diploma supplements
and certificates of completion. A document's signed JWS is kept exactly as issued; only its
status (superseded, revoked) changes afterwards."""

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Enum, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base, enum_values, utcnow


class DocumentKind(StrEnum):
    TRANSCRIPT = "transcript"  # Transcript of Records: every entry in force
    DIPLOMA_SUPPLEMENT = "diploma_supplement"  # a programme, its credits and the standing
    CERTIFICATE = "certificate"  # completion of a course that awards no credit


class SigningKey(Base):
    """A document-signing key's public JWK. The private half is a file under SIGNING_KEYS_DIR,
    never in the database or the repository. `retired_at` is when a newer key replaced it:
    retired keys stay published, so what they signed still verifies."""

    __tablename__ = "signing_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    kid: Mapped[str] = mapped_column(String(64), unique=True)
    algorithm: Mapped[str] = mapped_column(String(16))
    public_jwk: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    retired_at: Mapped[datetime | None]


class IssuedDocument(Base):
    """One signed document of a learner. `public_id` (a random UUID) is what the printed
    verification link carries; `jws` is the signed payload the PDF is rendered from. A newer
    document of the same learner, kind and programme or course supersedes it; a registrar may
    revoke it with a reason."""

    __tablename__ = "issued_documents"
    __table_args__ = (Index("ix_issued_documents_user_id_kind", "user_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(36), unique=True)
    kind: Mapped[DocumentKind] = mapped_column(
        Enum(DocumentKind, native_enum=False, length=24, values_callable=enum_values)
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    programme_id: Mapped[int | None] = mapped_column(
        ForeignKey("programmes.id", ondelete="SET NULL")
    )
    course_id: Mapped[int | None] = mapped_column(ForeignKey("courses.id", ondelete="SET NULL"))
    language: Mapped[str] = mapped_column(String(8))
    issued_at: Mapped[datetime] = mapped_column(default=utcnow)
    issued_by_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    kid: Mapped[str] = mapped_column(String(64))
    jws: Mapped[str] = mapped_column(Text)
    superseded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("issued_documents.id", ondelete="SET NULL")
    )
    revoked_at: Mapped[datetime | None]
    revoked_reason: Mapped[str] = mapped_column(Text, default="")
    revoked_by_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
