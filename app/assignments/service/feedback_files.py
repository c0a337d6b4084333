"""Feedback files of a marking: added and removed by its markers, read by them and, once the
marking is released, by the attempt's learners (always as downloads)."""

from typing import IO

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from app.assignments.models import Marking, MarkingFile, Submission
from app.assignments.service.marking import may_edit, target
from app.assignments.service.marking_list import submission_access
from app.assignments.service.release import learners_of
from app.core.actors import Actor
from app.core.config import Settings
from app.core.errors import NotFound
from app.core.i18n import N_
from app.courses.service.content import store_upload


def add_feedback_file(
    session: Session, actor: Actor, settings: Settings, submission_id: int,
    stream: IO[bytes], name: str,
) -> MarkingFile:  # fmt: skip
    """A feedback file for the attempt (one of the same name is replaced); learners get it
    only once the marking is released."""
    found = target(session, actor, submission_id)
    may_edit(actor, found)
    marking = found.marking
    if marking is None:
        marking = Marking(assignment_id=found.assignment.id, submission_id=found.submission.id)
        session.add(marking)
        session.flush()
    content, file_name = store_upload(session, settings, stream, name)
    existing = session.scalar(
        select(MarkingFile).where(
            MarkingFile.marking_id == marking.id, MarkingFile.name == file_name
        )
    )
    if existing is not None:
        session.delete(existing)
        session.flush()
    stored = MarkingFile(marking_id=marking.id, content=content, name=file_name)
    session.add(stored)
    session.flush()
    return stored


def _file(session: Session, file_id: int) -> tuple[MarkingFile, Marking, Submission]:
    row = session.execute(
        select(MarkingFile, Marking, Submission)
        .join(Marking, Marking.id == MarkingFile.marking_id)
        .join(Submission, Submission.id == Marking.submission_id)
        .where(MarkingFile.id == file_id)
        .options(selectinload(MarkingFile.content))
    ).first()
    if row is None:
        raise NotFound(N_("No such file."))
    return row[0], row[1], row[2]


def feedback_file(session: Session, actor: Actor, file_id: int) -> MarkingFile:
    """A feedback file, for those who mark, and for the attempt's learners once released."""
    stored, marking, submission = _file(session, file_id)
    owner = actor.user_id is not None and actor.user_id in learners_of(session, submission)
    if owner and marking.released_at is not None:
        return stored
    submission_access(session, actor, submission.id)
    return stored


def remove_feedback_file(session: Session, actor: Actor, file_id: int) -> Submission:
    stored, _marking, submission = _file(session, file_id)
    found = target(session, actor, submission.id)
    may_edit(actor, found)
    session.delete(stored)
    session.flush()
    return submission
