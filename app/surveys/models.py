"""Surveys: a questionnaire in sections, the audience it is open to, the invitations that let
each person answer once, and the responses.

An anonymous survey stores no link from a response to a person: the invitation records only
that its person has answered (so they cannot answer twice and are not reminded), and the
response keeps the day it came, never the moment, so the two cannot be matched by time. The
coarse attributes a breakdown needs (country, institution, profession) are copied onto the
response; results hide every group of fewer responses than the threshold."""

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Enum,
    ForeignKey,
    Index,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base, enum_values, utcnow


def _enum(kind: type[StrEnum]) -> Enum:
    return Enum(kind, native_enum=False, length=24, values_callable=enum_values)


class SurveyStatus(StrEnum):
    DRAFT = "draft"  # being built; nobody answers yet
    OPEN = "open"  # answered between its dates
    CLOSED = "closed"  # closed early by its owner; results stay


class AudienceKind(StrEnum):
    COURSE = "course"  # the course's active learners
    PROGRAMME = "programme"  # the programme's learners
    COHORT = "cohort"  # the cohort's members
    INSTITUTION_STAFF = "institution_staff"  # the institution's teachers, tutors and managers
    PUBLIC = "public"  # anyone holding the public link, signed in or not


class QuestionKind(StrEnum):
    LIKERT = "likert"  # an ordered scale with a label per point (options)
    SINGLE = "single"  # one of the options
    MULTIPLE = "multiple"  # any of the options
    RATING = "rating"  # 0 to 10
    NUMBER = "number"  # a number, within optional bounds
    SHORT_TEXT = "short_text"
    LONG_TEXT = "long_text"


class Survey(Base):
    __tablename__ = "surveys"
    __table_args__ = (
        CheckConstraint(
            "(audience_kind <> 'course' OR course_id IS NOT NULL)"
            " AND (audience_kind <> 'programme' OR programme_id IS NOT NULL)"
            " AND (audience_kind <> 'cohort' OR cohort_id IS NOT NULL)"
            " AND (audience_kind <> 'institution_staff' OR institution_id IS NOT NULL)",
            name="audience_target",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    language: Mapped[str] = mapped_column(String(8), default="en")  # of its questions
    template_key: Mapped[str | None] = mapped_column(String(64))  # made from a template
    audience_kind: Mapped[AudienceKind] = mapped_column(_enum(AudienceKind))
    course_id: Mapped[int | None] = mapped_column(
        ForeignKey("courses.id", ondelete="CASCADE"), index=True
    )
    programme_id: Mapped[int | None] = mapped_column(
        ForeignKey("programmes.id", ondelete="CASCADE"), index=True
    )
    cohort_id: Mapped[int | None] = mapped_column(
        ForeignKey("cohorts.id", ondelete="CASCADE"), index=True
    )
    # The institution whose staff answer; for other audiences, the one whose managers reach
    # the survey (none: coordinators only).
    institution_id: Mapped[int | None] = mapped_column(
        ForeignKey("institutions.id", ondelete="CASCADE"), index=True
    )
    anonymous: Mapped[bool] = mapped_column(default=True)
    status: Mapped[SurveyStatus] = mapped_column(_enum(SurveyStatus), default=SurveyStatus.DRAFT)
    opens_at: Mapped[datetime | None]
    closes_at: Mapped[datetime | None]
    # Results of a group of fewer responses are hidden; never below the platform's setting.
    min_group_size: Mapped[int | None]
    # The digest of the public link's secret, for the public audience.
    public_token_digest: Mapped[str | None] = mapped_column(String(64), unique=True)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    opened_at: Mapped[datetime | None]  # when it was first opened (its audience was told)


class SurveySection(Base):
    __tablename__ = "survey_sections"
    __table_args__ = (UniqueConstraint("survey_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"))
    position: Mapped[int]
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")


class SurveyQuestion(Base):
    """A question of a section. Choice and Likert questions keep their labels in `options`;
    an answer refers to an option by its index. With `show_if_question_id`, the question is
    shown (and may be required) only when that earlier question's answer is one of
    `show_if_options`."""

    __tablename__ = "survey_questions"
    __table_args__ = (
        UniqueConstraint("section_id", "position"),
        Index("ix_survey_questions_survey_id", "survey_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"))
    section_id: Mapped[int] = mapped_column(ForeignKey("survey_sections.id", ondelete="CASCADE"))
    position: Mapped[int]
    kind: Mapped[QuestionKind] = mapped_column(_enum(QuestionKind))
    text: Mapped[str] = mapped_column(String(1000))
    help_text: Mapped[str] = mapped_column(String(1000), default="")
    required: Mapped[bool] = mapped_column(default=False)
    options: Mapped[list[str]] = mapped_column(JSON, default=list)
    min_value: Mapped[Decimal | None] = mapped_column(Numeric(12, 3))
    max_value: Mapped[Decimal | None] = mapped_column(Numeric(12, 3))
    show_if_question_id: Mapped[int | None] = mapped_column(
        ForeignKey("survey_questions.id", ondelete="SET NULL")
    )
    show_if_options: Mapped[list[int]] = mapped_column(JSON, default=list)


class SurveyInvitation(Base):
    """One person's right to answer once. `responded` is all it says of their answer."""

    __tablename__ = "survey_invitations"
    __table_args__ = (UniqueConstraint("survey_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    responded: Mapped[bool] = mapped_column(default=False)
    reminded_at: Mapped[datetime | None]


class SurveyResponse(Base):
    """A named response keeps its person; an anonymous one keeps none, and only its day."""

    __tablename__ = "survey_responses"
    __table_args__ = (UniqueConstraint("survey_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    submitted_on: Mapped[date]
    country: Mapped[str | None] = mapped_column(String(2))
    institution_id: Mapped[int | None] = mapped_column(
        ForeignKey("institutions.id", ondelete="SET NULL")
    )
    profession: Mapped[str | None] = mapped_column(String(32))


class SurveyAnswer(Base):
    """One value: an option's index (Likert, single, each of a multiple choice's), a rating or
    a number in `number`; a text in `text`."""

    __tablename__ = "survey_answers"
    __table_args__ = (Index("ix_survey_answers_question_number", "question_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(
        ForeignKey("survey_responses.id", ondelete="CASCADE"), index=True
    )
    question_id: Mapped[int] = mapped_column(ForeignKey("survey_questions.id", ondelete="CASCADE"))
    number: Mapped[Decimal | None] = mapped_column(Numeric(12, 3))
    text: Mapped[str | None] = mapped_column(Text)
