"""Quizzes and their attempts: a quiz module's settings, its slots (a fixed question or one drawn
at random from a category), overrides per learner or group, and the attempts, each slot of which
keeps the question version and the prompt exactly as the learner was shown them."""

from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Enum, ForeignKey, Numeric, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base, enum_values, utcnow


def _enum(enum: type[StrEnum]) -> Enum:
    return Enum(enum, native_enum=False, length=24, values_callable=enum_values)


MARK = Numeric(10, 4)


class ExpiryAction(StrEnum):
    AUTO_SUBMIT = "auto_submit"  # finished with what was saved
    GRACE = "grace"  # the learner may still submit, not answer, during the grace period
    ABANDON = "abandon"  # never graded unless submitted before the deadline


class GradingMethod(StrEnum):
    HIGHEST = "highest"
    AVERAGE = "average"
    FIRST = "first"
    LAST = "last"


class Navigation(StrEnum):
    FREE = "free"
    SEQUENTIAL = "sequential"  # no going back to an earlier page


class AttemptState(StrEnum):
    IN_PROGRESS = "in_progress"
    OVERDUE = "overdue"  # past the deadline, within the grace period: may only be submitted
    FINISHED = "finished"
    ABANDONED = "abandoned"


class ReviewMoment(StrEnum):
    DURING = "during"  # while answering (self-check quizzes, once a question is checked)
    IMMEDIATELY = "immediately"  # within two minutes of finishing
    OPEN = "open"  # later, while the quiz is open
    CLOSED = "closed"  # after the quiz closes


class ReviewItem(StrEnum):
    RESPONSE = "response"
    CORRECTNESS = "correctness"
    MARKS = "marks"
    SPECIFIC_FEEDBACK = "specific_feedback"
    GENERAL_FEEDBACK = "general_feedback"
    RIGHT_ANSWER = "right_answer"
    OVERALL_FEEDBACK = "overall_feedback"


class Quiz(Base):
    """The quiz a module of kind `quiz` stands for. Dates are UTC instants (None: no limit).
    `review` maps each moment to the review items shown then; `feedback_bands` are the overall
    feedback texts, each from a minimum percentage of the maximum grade."""

    __tablename__ = "quizzes"

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    module_id: Mapped[int] = mapped_column(
        ForeignKey("modules.id", ondelete="CASCADE"), unique=True
    )
    opens_at: Mapped[datetime | None]
    closes_at: Mapped[datetime | None]
    time_limit_minutes: Mapped[int | None]
    grace_minutes: Mapped[int] = mapped_column(default=0)
    on_expiry: Mapped[ExpiryAction] = mapped_column(
        _enum(ExpiryAction), default=ExpiryAction.AUTO_SUBMIT
    )
    max_attempts: Mapped[int | None]  # None: unlimited
    delay_minutes: Mapped[int] = mapped_column(default=0)
    grading_method: Mapped[GradingMethod] = mapped_column(
        _enum(GradingMethod), default=GradingMethod.HIGHEST
    )
    questions_per_page: Mapped[int] = mapped_column(default=1)
    navigation: Mapped[Navigation] = mapped_column(_enum(Navigation), default=Navigation.FREE)
    shuffle_questions: Mapped[bool] = mapped_column(default=False)
    shuffle_answers: Mapped[bool] = mapped_column(default=True)
    max_grade: Mapped[Decimal] = mapped_column(MARK, default=Decimal(10))
    pass_grade: Mapped[Decimal | None] = mapped_column(MARK)
    self_check: Mapped[bool] = mapped_column(default=False)
    review: Mapped[dict[str, list[str]]] = mapped_column(JSON, default=dict)
    feedback_bands: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    # When the grades were last released for "after close" review (see `results.release_due`).
    released_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class QuizSlot(Base):
    """A place in the quiz: a fixed question, or one drawn at start from a category."""

    __tablename__ = "quiz_slots"

    id: Mapped[int] = mapped_column(primary_key=True)
    quiz_id: Mapped[int] = mapped_column(ForeignKey("quizzes.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    page: Mapped[int] = mapped_column(default=1)
    question_id: Mapped[int | None] = mapped_column(ForeignKey("questions.id", ondelete="CASCADE"))
    category_id: Mapped[int | None] = mapped_column(
        ForeignKey("question_categories.id", ondelete="CASCADE")
    )
    include_subcategories: Mapped[bool] = mapped_column(default=False)
    mark: Mapped[Decimal] = mapped_column(MARK, default=Decimal(1))


class QuizOverride(Base):
    """Other dates, time limit or attempts for one learner or one group; a learner's override
    beats their group's. A None field keeps the quiz's setting."""

    __tablename__ = "quiz_overrides"
    __table_args__ = (
        UniqueConstraint("quiz_id", "user_id"),
        UniqueConstraint("quiz_id", "group_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    quiz_id: Mapped[int] = mapped_column(ForeignKey("quizzes.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    group_id: Mapped[int | None] = mapped_column(ForeignKey("course_groups.id", ondelete="CASCADE"))
    opens_at: Mapped[datetime | None]
    closes_at: Mapped[datetime | None]
    time_limit_minutes: Mapped[int | None]
    max_attempts: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Attempt(Base):
    """A learner's attempt. The clock is the server's: `deadline_at` is fixed at start.
    `version` grows with every save so concurrent saves cannot both win."""

    __tablename__ = "quiz_attempts"
    __table_args__ = (UniqueConstraint("quiz_id", "user_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    quiz_id: Mapped[int] = mapped_column(ForeignKey("quizzes.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(default=1)
    state: Mapped[AttemptState] = mapped_column(
        _enum(AttemptState), default=AttemptState.IN_PROGRESS
    )
    seed: Mapped[int] = mapped_column(default=0)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    deadline_at: Mapped[datetime | None]
    grace_until: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    current_page: Mapped[int] = mapped_column(default=1)
    sum_marks: Mapped[Decimal | None] = mapped_column(MARK)
    version: Mapped[int] = mapped_column(default=1)


class AttemptSlot(Base):
    """One question of an attempt, as shown: the version is fixed at start and the prompt
    (shuffled) kept, so editing the question never changes what the learner saw."""

    __tablename__ = "quiz_attempt_slots"
    __table_args__ = (UniqueConstraint("attempt_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(
        ForeignKey("quiz_attempts.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(default=1)
    page: Mapped[int] = mapped_column(default=1)
    question_version_id: Mapped[int] = mapped_column(ForeignKey("question_versions.id"))
    max_mark: Mapped[Decimal] = mapped_column(MARK, default=Decimal(1))
    prompt: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    response: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    fraction: Mapped[Decimal | None] = mapped_column(MARK)
    mark: Mapped[Decimal | None] = mapped_column(MARK)
    feedback_html: Mapped[str] = mapped_column(Text, default="")
    manual_mark: Mapped[Decimal | None] = mapped_column(MARK)
    manual_comment: Mapped[str] = mapped_column(Text, default="")
    # A self-check quiz's question once its "Check" button was pressed: its feedback shows.
    checked: Mapped[bool] = mapped_column(default=False)
    answered_at: Mapped[datetime | None]
