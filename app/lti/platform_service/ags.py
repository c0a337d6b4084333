"""Assignment and Grade Services 2.0 for the tools placed in a course: their own line items
(each kept as a gradebook item of source `lti`), the scores they post (scaled to the item's
maximum, released once FullyGraded) and the results they read back. A tool reaches only the
courses it is placed in, only its own line items, and scores only of the course's members."""

import html
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from app.core.config import Settings
from app.core.errors import Conflict, Invalid, NotFound
from app.core.i18n import N_
from app.courses.models import Module
from app.grades.models import Grade, GradeItem, ItemSource
from app.grades.service import results as grade_results
from app.grades.service.record import record_grade
from app.lti.platform_models import LtiLineItem, LtiLink, LtiScoreTime
from app.lti.platform_schemas import ServiceScope
from app.lti.platform_service import links, ours
from app.lti.platform_service.tokens import Caller
from app.membership.models import Enrolment, EnrolmentStatus

READ_ITEMS = (ServiceScope.LINEITEM, ServiceScope.LINEITEM_READONLY)
CENTS = Decimal("0.01")


class NoSuchCourse(NotFound):
    code = "lti_no_such_course"
    title = N_("No such course, or the tool is not placed in it.")


class NoSuchLineItem(NotFound):
    code = "lti_no_such_line_item"
    title = N_("No such line item.")


class NotAMember(NotFound):
    code = "lti_not_a_member"
    title = N_("No such member of the course.")


class BadLineItem(Invalid):
    code = "lti_bad_line_item"
    title = N_("The line item is not valid: it needs a label and a positive scoreMaximum.")


class BadScore(Invalid):
    code = "lti_bad_score"
    title = N_("The score is not valid.")


class OutOfOrderScore(Conflict):
    code = "lti_score_out_of_order"
    title = N_("A later score of this learner on this line item was already received.")


class _LineItemIn(BaseModel):
    model_config = ConfigDict(extra="ignore")

    label: str = Field(min_length=1, max_length=300)
    scoreMaximum: Decimal = Field(gt=0, le=100_000)
    resourceLinkId: str | None = Field(default=None, max_length=64)
    resourceId: str = Field(default="", max_length=255)
    tag: str = Field(default="", max_length=255)
    startDateTime: AwareDatetime | None = None
    endDateTime: AwareDatetime | None = None


class _ScoreIn(BaseModel):
    model_config = ConfigDict(extra="ignore")

    userId: str = Field(min_length=1, max_length=255)
    scoreGiven: Decimal | None = Field(default=None, ge=0, le=1_000_000)
    scoreMaximum: Decimal | None = Field(default=None, gt=0, le=1_000_000)
    activityProgress: str = Field(max_length=32)
    gradingProgress: str = Field(max_length=32)
    timestamp: AwareDatetime
    comment: str | None = Field(default=None, max_length=20_000)


@dataclass(frozen=True)
class Placed:
    course_id: int


def _placed(session: Session, caller: Caller, course_id: int) -> Placed:
    placed = session.scalar(
        select(
            exists().where(
                LtiLink.tool_id == caller.tool.id,
                LtiLink.module_id == Module.id,
                Module.course_id == course_id,
            )
        )
    )
    if not placed:
        raise NoSuchCourse()
    return Placed(course_id)


def course_of_tool(session: Session, caller: Caller, course_id: int) -> int:
    """The course, if the caller's tool is placed in it."""
    return _placed(session, caller, course_id).course_id


def _url(settings: Settings, item: LtiLineItem) -> str:
    return ours.endpoint(settings, f"/lti/ags/courses/{item.course_id}/lineitems/{item.id}")


def _number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


def as_json(session: Session, settings: Settings, item: LtiLineItem) -> dict[str, Any]:
    link = session.get(LtiLink, item.link_id) if item.link_id else None
    return _json_of(settings, item, link)


def as_json_list(
    session: Session, settings: Settings, items: list[LtiLineItem]
) -> list[dict[str, Any]]:
    """Line items as AGS JSON, their links read in one statement whatever their number."""
    link_ids = {item.link_id for item in items if item.link_id is not None}
    by_id: dict[int, LtiLink] = {}
    if link_ids:
        by_id = {
            link.id: link
            for link in session.scalars(select(LtiLink).where(LtiLink.id.in_(link_ids)))
        }
    return [_json_of(settings, item, by_id.get(item.link_id or 0)) for item in items]


def _json_of(settings: Settings, item: LtiLineItem, link: LtiLink | None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": _url(settings, item), "label": item.label,
        "scoreMaximum": _number(item.score_maximum),
    }  # fmt: skip
    if link is not None:
        body["resourceLinkId"] = link.resource_link_id
    if item.resource_id:
        body["resourceId"] = item.resource_id
    if item.tag:
        body["tag"] = item.tag
    if item.start_at:
        body["startDateTime"] = item.start_at.isoformat()
    if item.end_at:
        body["endDateTime"] = item.end_at.isoformat()
    return body


def line_items(
    session: Session, caller: Caller, course_id: int, filters: dict[str, str | None]
) -> list[LtiLineItem]:
    caller.require(*READ_ITEMS)
    _placed(session, caller, course_id)
    stmt = (
        select(LtiLineItem)
        .where(LtiLineItem.tool_id == caller.tool.id, LtiLineItem.course_id == course_id)
        .order_by(LtiLineItem.id)
    )
    if filters.get("resource_link_id") is not None:
        stmt = stmt.join(LtiLink, LtiLink.id == LtiLineItem.link_id).where(
            LtiLink.resource_link_id == filters["resource_link_id"]
        )
    if filters.get("resource_id") is not None:
        stmt = stmt.where(LtiLineItem.resource_id == filters["resource_id"])
    if filters.get("tag") is not None:
        stmt = stmt.where(LtiLineItem.tag == filters["tag"])
    return list(session.scalars(stmt))


def line_item(session: Session, caller: Caller, course_id: int, item_id: int) -> LtiLineItem:
    caller.require(*READ_ITEMS, ServiceScope.SCORE, ServiceScope.RESULT_READONLY)
    return _own_item(session, caller, course_id, item_id)


def _own_item(session: Session, caller: Caller, course_id: int, item_id: int) -> LtiLineItem:
    _placed(session, caller, course_id)
    item = session.get(LtiLineItem, item_id)
    if item is None or item.tool_id != caller.tool.id or item.course_id != course_id:
        raise NoSuchLineItem()
    return item


def _parse_item(body: object) -> _LineItemIn:
    try:
        return _LineItemIn.model_validate(body)
    except ValidationError:
        raise BadLineItem() from None


def _link_in_course(
    session: Session, caller: Caller, course_id: int, resource_link_id: str | None
) -> LtiLink | None:
    if resource_link_id is None:
        return None
    link = session.scalar(
        select(LtiLink)
        .join(Module, Module.id == LtiLink.module_id)
        .where(
            LtiLink.resource_link_id == resource_link_id,
            LtiLink.tool_id == caller.tool.id,
            Module.course_id == course_id,
        )
    )
    if link is None:
        raise BadLineItem(N_("No resource link of this tool in the course has this id."))
    return link


def create_line_item(session: Session, caller: Caller, course_id: int, body: object) -> LtiLineItem:
    caller.require(ServiceScope.LINEITEM)
    _placed(session, caller, course_id)
    data = _parse_item(body)
    link = _link_in_course(session, caller, course_id, data.resourceLinkId)
    return links.add_line_item(
        session, caller.tool, course_id, link, label=data.label,
        score_maximum=data.scoreMaximum.quantize(CENTS), resource_id=data.resourceId,
        tag=data.tag, start_at=data.startDateTime, end_at=data.endDateTime,
    )  # fmt: skip


def update_line_item(
    session: Session, caller: Caller, course_id: int, item_id: int, body: object
) -> LtiLineItem:
    caller.require(ServiceScope.LINEITEM)
    item = _own_item(session, caller, course_id, item_id)
    data = _parse_item(body)
    link = _link_in_course(session, caller, course_id, data.resourceLinkId)
    item.label, item.score_maximum = data.label, data.scoreMaximum.quantize(CENTS)
    item.resource_id, item.tag = data.resourceId, data.tag
    item.start_at, item.end_at = data.startDateTime, data.endDateTime
    if link is not None:
        item.link_id = link.id
    session.flush()
    links.grade_item(session, item)
    return item


def delete_line_item(session: Session, caller: Caller, course_id: int, item_id: int) -> None:
    """The line item goes, and its gradebook item with the grades the tool posted to it."""
    caller.require(ServiceScope.LINEITEM)
    item = _own_item(session, caller, course_id, item_id)
    grade_item = _grade_item(session, item)
    session.delete(item)
    if grade_item is not None:
        session.delete(grade_item)
    session.flush()
    grade_results.recompute(session, course_id)


def _grade_item(session: Session, item: LtiLineItem) -> GradeItem | None:
    return session.scalar(
        select(GradeItem).where(GradeItem.source == ItemSource.LTI, GradeItem.source_id == item.id)
    )


def _member(session: Session, course_id: int, sub: str) -> int:
    user_id = ours.user_id_of(sub)
    member = user_id is not None and session.scalar(
        select(
            exists().where(
                Enrolment.user_id == user_id,
                Enrolment.course_id == course_id,
                Enrolment.status == EnrolmentStatus.ACTIVE,
            )
        )
    )
    if not member or user_id is None:
        raise NotAMember(field="userId")
    return user_id


def _points(score: _ScoreIn, maximum: Decimal) -> Decimal | None:
    if score.scoreGiven is None:
        return None
    if score.scoreMaximum is None:
        raise BadScore(N_("A score with scoreGiven needs scoreMaximum."), field="scoreMaximum")
    try:
        scaled = score.scoreGiven / score.scoreMaximum * maximum
        # Extra credit is allowed (AGS §3.4.4), up to ten times the maximum: beyond, a mistake.
        return min(scaled, maximum * 10).quantize(CENTS)
    except InvalidOperation:
        raise BadScore() from None


def post_score(
    session: Session, caller: Caller, course_id: int, item_id: int, body: object
) -> None:
    """The learner's score on the line item, written into the gradebook."""
    caller.require(ServiceScope.SCORE)
    item = _own_item(session, caller, course_id, item_id)
    try:
        score = _ScoreIn.model_validate(body)
    except ValidationError:
        raise BadScore() from None
    user_id = _member(session, course_id, score.userId)
    _refuse_out_of_order(session, item, user_id, score.timestamp)
    grade_item = links.grade_item(session, item)
    comment = html.escape(score.comment) if score.comment is not None else None
    record_grade(
        session, grade_item, user_id, _points(score, grade_item.max_points), by_user_id=None,
        release=score.gradingProgress == "FullyGraded", feedback_html=comment,
        reason=f"LTI score from {caller.tool.name}",
    )  # fmt: skip


def _refuse_out_of_order(
    session: Session, item: LtiLineItem, user_id: int, timestamp: datetime
) -> None:
    """Record the score's time, unless a later score of this learner came first (409)."""
    last = session.scalar(
        select(LtiScoreTime)
        .where(LtiScoreTime.line_item_id == item.id, LtiScoreTime.user_id == user_id)
        .with_for_update()
    )
    if last is None:
        session.add(LtiScoreTime(line_item_id=item.id, user_id=user_id, scored_at=timestamp))
    elif last.scored_at >= timestamp:
        raise OutOfOrderScore()
    else:
        last.scored_at = timestamp


def results(
    session: Session, settings: Settings, caller: Caller, course_id: int, item_id: int,
    user_id: str | None,
) -> list[dict[str, Any]]:  # fmt: skip
    caller.require(ServiceScope.RESULT_READONLY)
    item = _own_item(session, caller, course_id, item_id)
    grade_item = _grade_item(session, item)
    if grade_item is None:
        return []
    stmt = select(Grade).where(Grade.item_id == grade_item.id).order_by(Grade.user_id)
    if user_id is not None:
        stmt = stmt.where(Grade.user_id == (ours.user_id_of(user_id) or -1))
    url = _url(settings, item)
    answered = []
    for grade in session.scalars(stmt):
        points = grade.override_points if grade.override_points is not None else grade.points
        result: dict[str, Any] = {
            "id": f"{url}/results/{grade.user_id}", "scoreOf": url,
            "userId": ours.subject(grade.user_id),
            "resultMaximum": _number(grade_item.max_points),
        }  # fmt: skip
        if points is not None:
            result["resultScore"] = _number(points)
        answered.append(result)
    return answered
