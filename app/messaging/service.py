"""Private messages between two people: written only where the policy finds a tie (a course
one teaches and the other studies in, a shared group), read by the two only, blocked and
reported by the recipient."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, case, exists, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased

from app.accounts.models import User
from app.core.actors import Actor
from app.core.db import utcnow
from app.core.errors import Conflict, Forbidden, NotFound
from app.core.i18n import N_
from app.core.markdown import render_markdown
from app.core.pagination import encode_cursor, paginate
from app.enrolment.models import GroupMember
from app.membership.models import CourseRole, Enrolment, EnrolmentStatus
from app.membership.policy import reached_user_ids
from app.messaging import policy
from app.messaging.models import Block, Conversation, Message, MessageReport
from app.messaging.schemas import MessageCreate, ReportCreate
from app.notifications.models import NotificationKind
from app.notifications.service import Notice, notify

PAGE = 50


class NoSuchPerson(NotFound):
    code = "no_such_person"
    title = N_("No such person.")


class CannotWrite(Forbidden):
    code = "cannot_write"
    title = N_("You cannot write to this person: you share no course or group with them.")


class AlreadyReported(Conflict):
    code = "message_already_reported"
    title = N_("You have already reported this message.")


def _person(actor: Actor) -> int:
    if not policy.takes_part(actor):
        raise NoSuchPerson()
    assert actor.user_id is not None
    return actor.user_id


def _pair(a: int, b: int) -> tuple[int, int]:
    return (a, b) if a < b else (b, a)


def _conversation(session: Session, a: int, b: int) -> Conversation | None:
    first, second = _pair(a, b)
    return session.scalar(
        select(Conversation).where(
            Conversation.first_user_id == first, Conversation.second_user_id == second
        )
    )


def _roles_by_course(session: Session, user_id: int) -> dict[int, set[CourseRole]]:
    rows = session.execute(
        select(Enrolment.course_id, Enrolment.role).where(
            Enrolment.user_id == user_id, Enrolment.status == EnrolmentStatus.ACTIVE
        )
    )
    found: dict[int, set[CourseRole]] = {}
    for course_id, role in rows:
        found.setdefault(course_id, set()).add(role)
    return found


def ties(session: Session, actor: Actor, recipient: User) -> policy.Ties:
    """What links the writer to the recipient, read in a few statements."""
    me = _person(actor)
    mine, theirs = _roles_by_course(session, me), _roles_by_course(session, recipient.id)
    mine_g, theirs_g = aliased(GroupMember), aliased(GroupMember)
    same_group = session.scalar(select(exists().where(
        mine_g.user_id == me, theirs_g.user_id == recipient.id,
        mine_g.group_id == theirs_g.group_id,
    )))  # fmt: skip
    blocked = session.scalar(select(exists().where(
        Block.blocker_id == recipient.id, Block.blocked_id == me
    )))  # fmt: skip
    conversation = _conversation(session, me, recipient.id)
    wrote = conversation is not None and session.scalar(select(exists().where(
        Message.conversation_id == conversation.id, Message.sender_id == recipient.id
    )))  # fmt: skip
    shared = [(frozenset(mine[c]), frozenset(theirs[c])) for c in mine.keys() & theirs.keys()]
    return policy.Ties(shared, bool(same_group), recipient.institution_id, bool(blocked),
                       bool(wrote))  # fmt: skip


def _recipient(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None or not user.is_active:
        raise NoSuchPerson()
    return user


@dataclass(frozen=True)
class ConversationView:
    other: User
    messages: Sequence[Message]
    next_cursor: str | None
    can_write: bool
    i_blocked: bool


def may_write(session: Session, actor: Actor, recipient: User) -> bool:
    return policy.may_write(actor, recipient.id, ties(session, actor, recipient))


def _visible_conversation(
    session: Session, me: int, other: User, can_write: bool
) -> Conversation | None:
    """The conversation with `other`; someone one may not write to (`can_write`, as decided)
    and never wrote with is not found (their existence is not admitted)."""
    conversation = _conversation(session, me, other.id)
    if conversation is None and not can_write:
        raise NoSuchPerson()
    return conversation


def conversation_with(
    session: Session, actor: Actor, user_id: int, cursor: str | None = None, limit: int = PAGE
) -> ConversationView:
    """The messages with a person, oldest first, 50 a page; reading them marks them read."""
    me = _person(actor)
    other = _recipient(session, user_id)
    can_write = may_write(session, actor, other)
    conversation = _visible_conversation(session, me, other, can_write)
    found: Sequence[Message] = []
    next_cursor = None
    if conversation is not None:
        stmt = select(Message).where(Message.conversation_id == conversation.id)
        found, next_cursor = paginate(session, stmt, Message.id, cursor, limit)
        if found:
            _mark_read(conversation, me, found[-1].id)
    i_blocked = bool(session.scalar(select(exists().where(
        Block.blocker_id == me, Block.blocked_id == other.id
    ))))  # fmt: skip
    return ConversationView(other, found, next_cursor, can_write, i_blocked)


def cursor_of_page_with(session: Session, message: Message, limit: int = PAGE) -> str | None:
    """The cursor of the page of the conversation (oldest first, `limit` a page) that holds
    `message`; None for the first page."""
    in_conversation = Message.conversation_id == message.conversation_id
    before = session.scalar(select(func.count()).where(in_conversation, Message.id < message.id))
    start = (int(before or 0) // limit) * limit
    if start == 0:
        return None
    last_before = session.scalar(
        select(Message.id).where(in_conversation).order_by(Message.id).offset(start - 1).limit(1)
    )
    return encode_cursor(last_before) if last_before is not None else None


def _mark_read(conversation: Conversation, me: int, up_to: int) -> None:
    if conversation.first_user_id == me:
        conversation.first_read_up_to = max(conversation.first_read_up_to, up_to)
    else:
        conversation.second_read_up_to = max(conversation.second_read_up_to, up_to)


def send(session: Session, actor: Actor, user_id: int, data: MessageCreate) -> Message:
    """Write to a person the policy allows (see `policy.may_write`)."""
    me = _person(actor)
    other = _recipient(session, user_id)
    if not may_write(session, actor, other):
        _visible_conversation(session, me, other, can_write=False)  # a stranger is not found
        raise CannotWrite()
    conversation = _conversation(session, me, other.id) or _new_conversation(session, me, other.id)
    body = data.body_markdown
    message = Message(conversation_id=conversation.id, sender_id=me, body_markdown=body,
                      body_html=render_markdown(body), created_at=utcnow())  # fmt: skip
    session.add(message)
    session.flush()
    conversation.last_message_at = message.created_at
    _mark_read(conversation, me, message.id)
    session.flush()
    _tell_recipient(session, me, other.id, body)
    return message


def _tell_recipient(session: Session, sender_id: int, recipient_id: int, body: str) -> None:
    sender = session.get_one(User, sender_id)
    notify(session, [recipient_id], Notice(
        kind=NotificationKind.PRIVATE_MESSAGE,
        subject=N_("New message from %(name)s"),
        body=N_("%(name)s wrote:\n\n%(text)s"),
        link=f"/messages/{sender_id}",
        values={"name": sender.display_name, "text": body[:1000]},
    ))  # fmt: skip


def _new_conversation(session: Session, a: int, b: int) -> Conversation:
    first, second = _pair(a, b)
    try:
        with session.begin_nested():
            made = Conversation(first_user_id=first, second_user_id=second)
            session.add(made)
    except IntegrityError:  # the other wrote first at the same moment
        found = _conversation(session, a, b)
        assert found is not None
        return found
    return made


@dataclass(frozen=True)
class ConversationRow:
    user_id: int
    name: str
    last_message_at: datetime
    unread: int


def conversations(session: Session, actor: Actor) -> list[ConversationRow]:
    """The reader's conversations, latest first, with the messages they have not read (two
    statements whatever their number)."""
    me = _person(actor)
    other_id = case((Conversation.first_user_id == me, Conversation.second_user_id),
                    else_=Conversation.first_user_id)  # fmt: skip
    read_up_to = case((Conversation.first_user_id == me, Conversation.first_read_up_to),
                      else_=Conversation.second_read_up_to)  # fmt: skip
    unread = (
        select(func.count())
        .where(
            Message.conversation_id == Conversation.id,
            Message.sender_id != me,
            Message.id > read_up_to,
        )
        .scalar_subquery()
    )
    rows = session.execute(
        select(other_id, User.display_name, Conversation.last_message_at, unread)
        .join(User, User.id == other_id)
        .where(or_(Conversation.first_user_id == me, Conversation.second_user_id == me))
        .order_by(Conversation.last_message_at.desc(), Conversation.id.desc())
        .limit(200)
    ).all()
    return [ConversationRow(u, name, at, int(n or 0)) for u, name, at, n in rows]


def contacts(session: Session, actor: Actor) -> list[tuple[int, str]]:
    """The people the reader may write to through their courses and groups: the teachers and
    tutors of the courses they study, the learners of those they teach, their groups' members."""
    me = _person(actor)
    mine = aliased(Enrolment)
    theirs = aliased(Enrolment)
    teaching = [CourseRole.TEACHER, CourseRole.TUTOR]
    by_course = (
        select(theirs.user_id)
        .join(mine, and_(mine.course_id == theirs.course_id, mine.user_id == me))
        .where(
            mine.status == EnrolmentStatus.ACTIVE,
            theirs.status == EnrolmentStatus.ACTIVE,
            or_(
                and_(mine.role.in_(teaching), theirs.role == CourseRole.STUDENT),
                and_(mine.role == CourseRole.STUDENT, theirs.role.in_(teaching)),
            ),
        )
    )
    mine_g, theirs_g = aliased(GroupMember), aliased(GroupMember)
    by_group = select(theirs_g.user_id).join(
        mine_g, and_(mine_g.group_id == theirs_g.group_id, mine_g.user_id == me)
    )
    blocked_me = select(Block.blocker_id).where(Block.blocked_id == me)
    rows = session.execute(
        select(User.id, User.display_name)
        .where(
            or_(User.id.in_(by_course), User.id.in_(by_group)),
            User.id != me,
            User.is_active,
            User.id.not_in(blocked_me),
        )
        .order_by(User.display_name, User.id)
        .limit(500)
    ).all()
    return [(user_id, name) for user_id, name in rows]


def set_blocked(session: Session, actor: Actor, user_id: int, *, blocked: bool) -> None:
    """Block a person (they cannot write to you any more) or unblock them. Someone one never
    blocked is not found unless one may know of them (as when blocking), so that unblocking
    does not tell which people exist."""
    me = _person(actor)
    other = _recipient(session, user_id)
    if other.id == me:
        raise NoSuchPerson()
    existing = session.scalar(
        select(Block).where(Block.blocker_id == me, Block.blocked_id == other.id)
    )
    if existing is None:
        _visible_conversation(session, me, other, may_write(session, actor, other))
    if blocked and existing is None:
        session.add(Block(blocker_id=me, blocked_id=other.id))
    elif not blocked and existing is not None:
        session.delete(existing)
    session.flush()


def report(session: Session, actor: Actor, message_id: int, data: ReportCreate) -> MessageReport:
    """The recipient reports a message to the managers who reach its sender; once."""
    me = _person(actor)
    message = session.get(Message, message_id)
    conversation = session.get(Conversation, message.conversation_id) if message else None
    if (
        message is None
        or conversation is None
        or me not in (conversation.first_user_id, conversation.second_user_id)
    ):
        raise NotFound(N_("No such message."))
    if message.sender_id == me:
        raise Forbidden(N_("You cannot report your own message."))
    made = MessageReport(message_id=message.id, reporter_id=me, reason=data.reason.strip())
    try:
        with session.begin_nested():
            session.add(made)
    except IntegrityError as twice:
        raise AlreadyReported() from twice
    return made


@dataclass(frozen=True)
class ReportRow:
    report: MessageReport
    message: Message
    sender_name: str
    reporter_name: str


def open_reports(session: Session, actor: Actor) -> list[ReportRow]:
    """Reported messages not dealt with, for the managers who reach their senders."""
    if not policy.can_read_reports(actor):
        raise Forbidden(N_("Only managers read reported messages."))
    sender, reporter = aliased(User), aliased(User)
    rows = session.execute(
        select(MessageReport, Message, sender.display_name, reporter.display_name)
        .join(Message, Message.id == MessageReport.message_id)
        .join(sender, sender.id == Message.sender_id)
        .join(reporter, reporter.id == MessageReport.reporter_id)
        .where(MessageReport.resolved_at.is_(None), reached_user_ids(actor, sender.id))
        .order_by(MessageReport.id)
        .limit(200)
    ).all()
    return [ReportRow(*row) for row in rows]


def resolve_report(session: Session, actor: Actor, report_id: int) -> MessageReport:
    found = next((r for r in open_reports(session, actor) if r.report.id == report_id), None)
    if found is None:
        raise NotFound(N_("No such report."))
    found.report.resolved_at = utcnow()
    session.flush()
    return found.report
