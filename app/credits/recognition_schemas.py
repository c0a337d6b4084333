"""Input and output shapes of recognition of prior learning: an application (its requested
courses and experience), its jury, its decision per course, its evidence files."""

from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated

from pydantic import BaseModel, Field

from app.core.inputs import Id, StrictInput
from app.credits.recognition_models import ApplicationStatus, Outcome, RecognitionApplication

if TYPE_CHECKING:
    from app.credits.service.recognition import ApplicationView

Experience = Annotated[str, Field(max_length=50000)]
Reason = Annotated[str, Field(min_length=1, max_length=4000)]
CourseIds = Annotated[list[Id], Field(max_length=100)]


class ApplicationCreate(StrictInput):
    """A new draft: a programme you are enrolled in, its courses you ask to have recognised,
    and your experience in Markdown (sanitised when shown)."""

    programme_id: Id
    course_ids: CourseIds = Field(default_factory=list)
    experience_markdown: Experience = ""


class ApplicationUpdate(StrictInput):
    """A draft's requested courses and experience, both replaced."""

    course_ids: CourseIds = Field(default_factory=list)
    experience_markdown: Experience = ""


class JuryMemberIn(StrictInput):
    user_id: Id
    chair: bool = False


class JuryIn(StrictInput):
    """At least two members, exactly one of them the chair; the applicant cannot sit."""

    members: Annotated[list[JuryMemberIn], Field(min_length=1, max_length=20)]


class DecisionItemIn(StrictInput):
    """The decision on one requested course: `full` (its ECTS credits), `partial` (`credits`
    more than 0 and fewer than the course's, and `remaining_outcomes`), or `refused`."""

    course_id: Id
    outcome: Outcome
    reason: Reason
    credits: Annotated[Decimal, Field(ge=0, le=999, max_digits=4, decimal_places=1)] | None = None
    remaining_outcomes: Annotated[str, Field(max_length=4000)] = ""


class DecisionIn(StrictInput):
    """One item per requested course, each exactly once."""

    items: Annotated[list[DecisionItemIn], Field(min_length=1, max_length=100)]


class RequestRead(BaseModel):
    course_id: int
    code: str
    title: str
    ects: Decimal


class EvidenceRead(BaseModel):
    id: int
    name: str
    size: int
    media_type: str
    url: str


class JuryMemberRead(BaseModel):
    user_id: int
    chair: bool


class DecisionItemRead(BaseModel):
    id: int
    course_id: int | None
    course_code: str
    course_title: str
    outcome: Outcome
    credits: Decimal
    remaining_outcomes: str
    reason: str
    credit_entry_id: int | None


class RecordedMember(BaseModel):
    user_id: int
    name: str
    chair: bool


class DecisionRead(BaseModel):
    decided_on: date
    decided_at: datetime
    recorded_by_id: int | None
    jury: list[RecordedMember]
    items: list[DecisionItemRead]


class ApplicationRead(BaseModel):
    id: int
    user_id: int
    programme_id: int
    status: ApplicationStatus
    experience_markdown: str
    experience_html: str
    institution_id: int | None
    submitted_at: datetime | None
    withdrawn_at: datetime | None
    created_at: datetime
    requests: list[RequestRead]
    evidence: list[EvidenceRead]
    jury: list[JuryMemberRead]
    decision: DecisionRead | None


class ApplicationSummary(BaseModel):
    id: int
    user_id: int
    learner_name: str
    programme_id: int
    programme_code: str
    status: ApplicationStatus
    course_count: int
    submitted_at: datetime | None


class ApplicationPage(BaseModel):
    items: list[ApplicationSummary]
    next_cursor: str | None = None


def _evidence_url(application_id: int, evidence_id: int) -> str:
    return f"/api/v1/credits/recognition/applications/{application_id}/evidence/{evidence_id}"


def application_read(view: "ApplicationView") -> ApplicationRead:
    """The API's reading of an application as its reader sees it."""
    a = view.application
    decision = a.decision
    return ApplicationRead(
        id=a.id, user_id=a.user_id, programme_id=a.programme_id, status=a.status,
        experience_markdown=a.experience_markdown, experience_html=a.experience_html,
        institution_id=a.institution_id, submitted_at=a.submitted_at,
        withdrawn_at=a.withdrawn_at, created_at=a.created_at,
        requests=[
            RequestRead(course_id=r.course_id, code=r.course.code, title=r.course.title,
                        ects=r.course.ects)
            for r in a.requests
        ],
        evidence=[
            EvidenceRead(id=e.id, name=e.name, size=e.content.size,
                         media_type=e.content.media_type, url=_evidence_url(a.id, e.id))
            for e in a.evidence
        ],
        jury=[JuryMemberRead(user_id=m.user_id, chair=m.is_chair) for m in a.jury],
        decision=None if decision is None else DecisionRead(
            decided_on=decision.decided_on, decided_at=decision.decided_at,
            recorded_by_id=decision.recorded_by_id,
            jury=[RecordedMember.model_validate(m) for m in decision.jury_members],
            items=[DecisionItemRead.model_validate(i, from_attributes=True)
                   for i in decision.items],
        ),
    )  # fmt: skip


def summary_read(a: RecognitionApplication) -> ApplicationSummary:
    """One line of a list (its learner, programme and requests loaded with the page)."""
    return ApplicationSummary(
        id=a.id, user_id=a.user_id, learner_name=a.learner.display_name,
        programme_id=a.programme_id, programme_code=a.programme.code, status=a.status,
        course_count=len(a.requests), submitted_at=a.submitted_at,
    )  # fmt: skip
