"""Privacy: who may erase people (a grant admins give to managers) and the erasure requests,
each kept with who asked, why and who carried it out."""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base, utcnow


class PrivacyOfficer(Base):
    """A manager who may export anyone's personal data and erase people, within their reach
    (an institution manager: their institution's people)."""

    __tablename__ = "privacy_officers"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    granted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    granted_at: Mapped[datetime] = mapped_column(default=utcnow)


class ErasureRequest(Base):
    """A person's erasure, asked for by them or recorded by an officer on their behalf, and
    carried out (once) by an officer."""

    __tablename__ = "erasure_requests"
    __table_args__ = (Index("ix_erasure_requests_person_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    asked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    carried_out_at: Mapped[datetime | None]
    carried_out_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
