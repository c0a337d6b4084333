"""Answering a survey, section by section: each step checks the answers given so far (a
question is required only when it is shown), the last checks the whole response and stores
it. A person answers once: their invitation is claimed by a conditional UPDATE in the
transaction that stores the response, so of two simultaneous submissions one is stored. An
anonymous response keeps no person and only its day."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.accounts.models import Institution, User
from app.core.actors import Actor
from app.core.db import utcnow
from app.core.errors import Conflict, Invalid
from app.core.i18n import N_
from app.core.security import token_digest
from app.enrolment.models import LearnerProfile
from app.surveys import policy
from app.surveys.models import (
    QuestionKind,
    Survey,
    SurveyAnswer,
    SurveyInvitation,
    SurveyQuestion,
    SurveyResponse,
    SurveySection,
)
from app.surveys.schemas import LONG_TEXT_MAX, RATING_MAX, SHORT_TEXT_MAX
from app.surveys.service.access import (
    AlreadyResponded,
    Answering,
    SurveyNotOpen,
    survey_by_link,
    survey_to_answer,
    survey_to_manage,
)
from app.surveys.service.building import Outline, outline_of

RawAnswer = int | Decimal | str | Sequence[int | str]
CHOICES = frozenset({QuestionKind.SINGLE, QuestionKind.LIKERT})
TEXT_MAX = {QuestionKind.SHORT_TEXT: SHORT_TEXT_MAX, QuestionKind.LONG_TEXT: LONG_TEXT_MAX}
NUMBER_LIMIT = Decimal("999999999")


class AnswerRequired(Invalid):
    code = "answer_required"
    title = N_("Answer this question.")


class AnswerInvalid(Invalid):
    code = "invalid_answer"
    title = N_("This answer is not one the question takes.")


class AnswerTooLong(Invalid):
    code = "answer_too_long"
    title = N_("This answer is too long.")


class NumberOutOfRange(Invalid):
    code = "number_out_of_range"
    title = N_("This number is outside the range the question takes.")


@dataclass(frozen=True)
class Value:
    """One accepted answer: option indices, a rating or a number in `numbers`, or a text."""

    numbers: tuple[Decimal, ...] = ()
    text: str | None = None


def field_name(question: SurveyQuestion) -> str:
    return f"q{question.id}"


def _empty(raw: RawAnswer | None) -> bool:
    if raw is None:
        return True
    if isinstance(raw, str):
        return not raw.strip()
    if isinstance(raw, Sequence):
        return not [item for item in raw if str(item).strip()]
    return False


def _single(question: SurveyQuestion, raw: RawAnswer) -> int | Decimal | str:
    if isinstance(raw, str | int | Decimal):
        return raw
    items = [item for item in raw if str(item).strip()]
    if len(items) != 1:
        raise AnswerInvalid(field=field_name(question))
    return items[0]


def _index(question: SurveyQuestion, raw: int | Decimal | str, count: int) -> Decimal:
    if isinstance(raw, bool):
        raise AnswerInvalid(field=field_name(question))
    try:
        index = int(str(raw).strip())
    except ValueError:
        raise AnswerInvalid(field=field_name(question)) from None
    if not 0 <= index < count:
        raise AnswerInvalid(field=field_name(question))
    return Decimal(index)


def _number(question: SurveyQuestion, raw: int | Decimal | str) -> Decimal:
    try:
        number = Decimal(str(raw).strip().replace(",", "."))
    except InvalidOperation:
        raise AnswerInvalid(field=field_name(question)) from None
    exponent = number.as_tuple().exponent
    if not number.is_finite() or (isinstance(exponent, int) and exponent < -3):
        raise AnswerInvalid(field=field_name(question))
    low = question.min_value if question.min_value is not None else -NUMBER_LIMIT
    high = question.max_value if question.max_value is not None else NUMBER_LIMIT
    if not low <= number <= high:
        raise NumberOutOfRange(field=field_name(question))
    return number


def _multiple(question: SurveyQuestion, raw: RawAnswer) -> tuple[Decimal, ...]:
    items = [raw] if isinstance(raw, str | int | Decimal) else list(raw)
    chosen = {_index(question, item, len(question.options)) for item in items if str(item).strip()}
    return tuple(sorted(chosen))


def _text(question: SurveyQuestion, raw: RawAnswer) -> str:
    text = _single(question, raw)
    if not isinstance(text, str):
        raise AnswerInvalid(field=field_name(question))
    if len(text.strip()) > TEXT_MAX[question.kind]:
        raise AnswerTooLong(field=field_name(question))
    return text.strip()


def parse(question: SurveyQuestion, raw: RawAnswer) -> Value:
    """The answer as the question's kind takes it, or Invalid naming the question's field."""
    if question.kind in CHOICES:
        return Value((_index(question, _single(question, raw), len(question.options)),))
    if question.kind is QuestionKind.RATING:
        return Value((_index(question, _single(question, raw), RATING_MAX + 1),))
    if question.kind is QuestionKind.MULTIPLE:
        return Value(_multiple(question, raw))
    if question.kind is QuestionKind.NUMBER:
        return Value((_number(question, _single(question, raw)),))
    return Value(text=_text(question, raw))


def is_shown(question: SurveyQuestion, accepted: Mapping[int, Value]) -> bool:
    """Shown always, or when its earlier question was shown and answered with one of the
    answers it names."""
    if question.show_if_question_id is None:
        return True
    given = accepted.get(question.show_if_question_id)
    wanted = {Decimal(index) for index in question.show_if_options}
    return given is not None and bool(wanted & set(given.numbers))


def check(
    outline: Outline, answers: Mapping[int, RawAnswer], through: int | None = None
) -> dict[int, Value]:
    """The accepted answers of the sections up to `through` (1 is the first; all without),
    in order, so that each condition reads an answer already checked. Answers to questions
    not shown are dropped."""
    accepted: dict[int, Value] = {}
    for number, (_, questions) in enumerate(outline.sections, start=1):
        if through is not None and number > through:
            break
        for question in questions:
            if not is_shown(question, accepted):
                continue
            raw = answers.get(question.id)
            if raw is None or _empty(raw):
                if question.required:
                    raise AnswerRequired(field=field_name(question))
                continue
            accepted[question.id] = parse(question, raw)
    return accepted


def shown_in_section(
    outline: Outline, step: int, accepted: Mapping[int, Value]
) -> list[SurveyQuestion]:
    """The questions of section `step` shown after the earlier sections' answers."""
    return [q for q in outline.sections[step - 1][1] if is_shown(q, accepted)]


# --- storing -------------------------------------------------------------------------------


def _claim(session: Session, invitation: SurveyInvitation | None) -> None:
    """Mark the invitation answered, unless another submission did first: decided by the
    database, not by what this request read."""
    if invitation is None:
        return
    claimed = session.execute(
        update(SurveyInvitation)
        .where(SurveyInvitation.id == invitation.id, SurveyInvitation.responded.is_(False))
        .values(responded=True)
        .execution_options(synchronize_session=False)
    )
    if getattr(claimed, "rowcount", 0) != 1:
        raise AlreadyResponded()
    session.expire(invitation, ["responded"])


def _attributes(session: Session, user_id: int | None) -> tuple[str | None, int | None, str | None]:
    """The coarse attributes a breakdown needs: country, institution, profession."""
    if user_id is None:
        return None, None, None
    found = session.execute(
        select(User.country, User.institution_id, LearnerProfile.professional_status)
        .outerjoin(LearnerProfile, LearnerProfile.user_id == User.id)
        .where(User.id == user_id)
    ).one()
    status = found.professional_status
    return found.country, found.institution_id, status.value if status else None


Attributes = tuple[str | None, int | None, str | None]


def _insert(
    session: Session, survey: Survey, accepted: Mapping[int, Value], user_id: int | None,
    attributes: Attributes, now: datetime,
) -> SurveyResponse:  # fmt: skip
    country, institution_id, profession = attributes
    response = SurveyResponse(
        survey_id=survey.id, user_id=None if survey.anonymous else user_id,
        submitted_on=now.date(), country=country, institution_id=institution_id,
        profession=profession,
    )  # fmt: skip
    session.add(response)
    session.flush()
    session.add_all(
        SurveyAnswer(response_id=response.id, question_id=question_id, number=number)
        for question_id, value in accepted.items()
        for number in value.numbers
    )
    session.add_all(
        SurveyAnswer(response_id=response.id, question_id=question_id, text=value.text)
        for question_id, value in accepted.items()
        if value.text is not None
    )
    session.flush()
    return response


def _store(
    session: Session, actor: Actor, answering: Answering, answers: Mapping[int, RawAnswer],
    now: datetime,
) -> SurveyResponse:  # fmt: skip
    survey = answering.survey
    accepted = check(outline_of(session, survey), answers)
    _claim(session, answering.invitation)
    attributes = _attributes(session, actor.user_id)
    return _insert(session, survey, accepted, actor.user_id, attributes, now)


def submit(
    session: Session, actor: Actor, survey_id: int, answers: Mapping[int, RawAnswer],
    now: datetime | None = None,
) -> SurveyResponse:  # fmt: skip
    """A person of the audience answers the open survey, once."""
    now = now or utcnow()
    answering = survey_to_answer(session, actor, survey_id, now=now)
    return _store(session, actor, answering, answers, now)


def submit_by_link(
    session: Session, actor: Actor, secret: str, answers: Mapping[int, RawAnswer], *,
    answered_in_browser: bool = False, now: datetime | None = None,
) -> SurveyResponse:  # fmt: skip
    """Whoever holds a public survey's link answers it: a signed-in person once; without
    signing in, once per browser (the caller says whether this browser has answered)."""
    now = now or utcnow()
    answering = survey_by_link(session, actor, token_digest(secret), now=now)
    if answering.invitation is None and answered_in_browser:
        raise AlreadyResponded()
    return _store(session, actor, answering, answers, now)


class NotAnonymous(Conflict):
    code = "survey_not_anonymous"
    title = N_("Only an anonymous survey takes responses collected on paper.")


def enter_collected(
    session: Session, actor: Actor, survey_id: int, answers: Mapping[int, RawAnswer], *,
    attributes: Attributes = (None, None, None), now: datetime | None = None,
) -> SurveyResponse:  # fmt: skip
    """A response collected outside the platform (a paper questionnaire handed in at a
    workshop), typed in by one of the survey's managers with its coarse attributes (country,
    institution, profession): anonymous surveys only, while they take answers; it claims no
    invitation, since it is nobody's on the platform."""
    now = now or utcnow()
    survey = survey_to_manage(session, actor, survey_id)
    if not survey.anonymous:
        raise NotAnonymous()
    if not policy.is_answerable(survey, now):
        raise SurveyNotOpen()
    accepted = check(outline_of(session, survey), answers)
    return _insert(session, survey, accepted, None, attributes, now)


def attributes_of(
    session: Session, country: str | None, institution_code: str | None, profession: str | None
) -> Attributes:
    """A collected response's attributes; an unknown institution is refused."""
    institution_id = None
    if institution_code is not None:
        institution_id = session.scalar(
            select(Institution.id).where(Institution.code == institution_code)
        )
        if institution_id is None:
            raise Invalid(N_("No such institution."), field="institution_code")
    return country, institution_id, profession


# --- one page per section ------------------------------------------------------------------


def is_answerable(survey: Survey, now: datetime | None = None) -> bool:
    return policy.is_answerable(survey, now or utcnow())


@dataclass(frozen=True)
class Step:
    """One section as its page shows it: the questions the earlier answers leave shown."""

    outline: Outline
    number: int  # 1 is the first section
    section_questions: list[SurveyQuestion]

    @property
    def section(self) -> SurveySection:
        return self.outline.sections[self.number - 1][0]

    @property
    def total(self) -> int:
        return len(self.outline.sections)

    @property
    def last(self) -> bool:
        return self.number >= self.total


def step_of(
    outline: Outline, answers: Mapping[int, RawAnswer], number: int, *,
    check_current: bool = False, lenient: bool = False,
) -> Step:  # fmt: skip
    """Section `number` after checking the answers of the sections before it (and of this
    one, with `check_current`). `lenient` shows it again after a refusal: an earlier answer
    that fails leaves only the questions shown always."""
    number = min(max(number, 1), max(len(outline.sections), 1))
    if not outline.sections:
        raise SurveyNotOpen()
    try:
        accepted = check(outline, answers, through=number if check_current else number - 1)
    except Invalid:
        if not lenient:
            raise
        accepted = {}
    return Step(outline, number, shown_in_section(outline, number, accepted))
