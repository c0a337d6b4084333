"""Input and output shapes of marking: the markers' list of submissions, a marking (grade,
criteria, feedback, late penalty), its workflow state, a member's grade set apart from their
group's, rubrics and marking guides."""

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, Field, model_validator

from app.assignments.models import MarkingState
from app.core.inputs import MAX_INT, Id, StrictInput

Points = Annotated[Decimal, Field(ge=0, le=10000, max_digits=10, decimal_places=2)]
Reason = Annotated[str, Field(max_length=2000)]
Definition = Annotated[str, Field(min_length=1, max_length=1000)]


class LevelIn(StrictInput):
    points: Points
    definition: Definition


class CriterionIn(StrictInput):
    """A rubric's criterion with its levels, or a marking guide's with its `max_points`."""

    description: Definition
    max_points: (
        Annotated[Decimal, Field(gt=0, le=10000, max_digits=10, decimal_places=2)] | None
    ) = None
    levels: list[LevelIn] = Field(default_factory=list, max_length=20)


class RubricUpdate(StrictInput):
    """All the criteria at once (they replace the previous ones). With `lock_zero_points`,
    each criterion's lowest level counts as zero in the grade."""

    lock_zero_points: bool = True
    criteria: list[CriterionIn] = Field(min_length=1, max_length=50)


class RubricCopy(StrictInput):
    from_assignment_id: Id


class LevelRead(BaseModel):
    id: int
    points: Decimal
    definition: str


class CriterionRead(BaseModel):
    id: int
    description: str
    max_points: Decimal | None
    levels: list[LevelRead]


class RubricRead(BaseModel):
    assignment_id: int
    grading_method: str
    lock_zero_points: bool
    in_use: bool
    criteria: list[CriterionRead]


class CriterionChoice(StrictInput):
    """A rubric's chosen `level_id`, or a guide's `points` (and `comment`) on one criterion."""

    criterion_id: Id
    level_id: Id | None = None
    points: Points | None = None
    comment: str = Field(default="", max_length=5000)


class MarkingUpdate(StrictInput):
    """The whole marking (a `PUT` replaces it). `version` is the one read (0 when there was no
    marking yet): if someone saved in between, the answer is 409 `marking_edited_meanwhile`.
    Grade with `points` (0 to the maximum), a `scale_level_id` of the assignment's scale, or
    the `criteria` of its rubric or guide. `penalty_points` left out applies the declared late
    penalty; another value needs `penalty_override_reason`. `release` releases at once (not
    with the marking workflow)."""

    version: int = Field(ge=0, le=MAX_INT)
    points: Points | None = None
    scale_level_id: Id | None = None
    criteria: list[CriterionChoice] = Field(default_factory=list, max_length=50)
    feedback: str = Field(default="", max_length=50000)
    penalty_points: Points | None = None
    penalty_override_reason: Reason = ""
    release: bool = False


class WorkflowMove(StrictInput):
    """Move the marking to `state`; `version` as read, as for a marking."""

    state: MarkingState
    version: int = Field(ge=1, le=MAX_INT)


class MemberGrade(StrictInput):
    """One member's points in place of their group's, with the reason."""

    points: Points
    reason: Reason = Field(min_length=1)


class EmptyAttempt(StrictInput):
    """Whom to grade without a submission: a learner (`user_id`, or `participant` number of an
    anonymous assignment) or a group (`group_id`)."""

    user_id: Id | None = None
    participant: Annotated[int, Field(ge=1, le=MAX_INT)] | None = None
    group_id: Id | None = None

    @model_validator(mode="after")
    def _one_of_them(self) -> "EmptyAttempt":
        given = [v for v in (self.user_id, self.participant, self.group_id) if v is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of user_id, participant and group_id")
        return self


class CriterionMarkRead(BaseModel):
    criterion_id: int
    level_id: int | None
    points: Decimal | None
    comment: str


class MarkingFileRead(BaseModel):
    id: int
    name: str
    size: int
    media_type: str
    url: str


class MemberGradeRead(BaseModel):
    """A member's grade set apart; `user_id` is null while an anonymous assignment hides names."""

    user_id: int | None
    participant: int | None
    points: Decimal
    reason: str


class MarkingRead(BaseModel):
    id: int | None  # null: not marked yet
    submission_id: int
    state: MarkingState
    version: int
    points: Decimal | None
    scale_level_id: int | None
    declared_penalty_points: Decimal
    penalty_points: Decimal
    penalty_override_reason: str | None
    final_points: Decimal | None
    feedback_markdown: str
    feedback_html: str
    criteria: list[CriterionMarkRead]
    files: list[MarkingFileRead]
    member_grades: list[MemberGradeRead]
    released_at: datetime | None


SubmissionState = Literal["none", "draft", "submitted", "reopened"]


class SubmissionRowRead(BaseModel):
    """One learner or group on the markers' list. While an anonymous assignment hides names,
    `user_id` is null and `name` is "Participant N"."""

    user_id: int | None
    participant: int | None
    group_id: int | None
    name: str
    submission_id: int | None
    attempt: int | None
    status: SubmissionState
    submitted_at: datetime | None
    late_seconds: int | None
    marking_state: MarkingState
    final_points: Decimal | None
    grade_label: str | None
    marking_version: int


class SubmissionListRead(BaseModel):
    assignment_id: int
    anonymous: bool
    identities_hidden: bool
    rows: list[SubmissionRowRead]


class RevealRead(BaseModel):
    assignment_id: int
    identities_revealed_at: datetime


class BulkReleaseRead(BaseModel):
    released: int
