"""Quizzes: each course's question bank (nested categories, tags, every version of a question
kept) and the quizzes that draw on it with their attempts. An attempt keeps the version of each
question it was given, so editing a question never changes a finished attempt."""

from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import JSON, Enum, ForeignKey, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.db import Base, enum_values, utcnow


def _enum(enum: type[StrEnum]) -> Enum:
    return Enum(enum, native_enum=False, length=24, values_callable=enum_values)


MARK = Numeric(10, 4)


class QuestionType(StrEnum):
    MULTICHOICE = "multichoice"  # one or several right answers
    TRUEFALSE = "truefalse"
    SHORTANSWER = "shortanswer"  # patterns with * wildcards
    NUMERICAL = "numerical"  # tolerance and units
    MATCHING = "matching"
    CLOZE = "cloze"  # embedded answers
    ESSAY = "essay"  # graded by hand


class QuestionCategory(Base):
    __tablename__ = "question_categories"
    __table_args__ = (UniqueConstraint("course_id", "parent_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("question_categories.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(default=0)


class Question(Base):
    """A question of a course's bank; what it asks is in its versions, the newest in use for
    new attempts."""

    __tablename__ = "questions"

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    category_id: Mapped[int] = mapped_column(
        ForeignKey("question_categories.id", ondelete="CASCADE"), index=True
    )
    latest_version: Mapped[int] = mapped_column(default=1)
    # Retired questions stay for the attempts that used them but are drawn no more.
    retired: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    tags: Mapped[list["QuestionTag"]] = relationship(
        lazy="raise", cascade="all, delete-orphan", order_by="QuestionTag.tag"
    )


class QuestionVersion(Base):
    """One version of a question, never changed once an attempt used it. `definition` holds
    what the type needs (choices with fractions and feedback, patterns, tolerances, pairs,
    embedded answers), validated by the type in `app.quizzes.questions`."""

    __tablename__ = "question_versions"
    __table_args__ = (UniqueConstraint("question_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(default=1)
    qtype: Mapped[QuestionType] = mapped_column(_enum(QuestionType))
    name: Mapped[str] = mapped_column(String(300))
    text_markdown: Mapped[str] = mapped_column(Text, default="")
    text_html: Mapped[str] = mapped_column(Text, default="")
    definition: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)
    default_mark: Mapped[Decimal] = mapped_column(MARK, default=Decimal(1))
    # Shown after answering, when the quiz's review options allow (the "explanation").
    general_feedback_html: Mapped[str] = mapped_column(Text, default="")
    general_feedback_markdown: Mapped[str] = mapped_column(Text, default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class QuestionTag(Base):
    __tablename__ = "question_tags"
    __table_args__ = (UniqueConstraint("question_id", "tag"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id", ondelete="CASCADE"))
    tag: Mapped[str] = mapped_column(String(64), index=True)
