"""Evidence files of an application: added to and removed from a draft by its learner
(size-limited, type read from the content), served only to those who see the application."""

from typing import IO

from sqlalchemy.orm import Session

from app.core.actors import Actor
from app.core.config import Settings
from app.core.errors import Invalid, NotFound
from app.core.i18n import N_
from app.courses.service.content import store_upload
from app.credits.recognition_models import RecognitionEvidence
from app.credits.service.recognition import ApplicationView, application_view, draft_view

MAX_FILES = 20
NO_FILE = N_("No such evidence file.")


def add_evidence(
    session: Session, actor: Actor, settings: Settings, application_id: int,
    stream: IO[bytes], name: str,
) -> RecognitionEvidence:  # fmt: skip
    """Add a file to a draft; a file of the same name is replaced."""
    view = draft_view(session, actor, application_id)
    content, file_name = store_upload(session, settings, stream, name)
    evidence = view.application.evidence
    existing = next((e for e in evidence if e.name == file_name), None)
    if existing is not None:
        existing.content = content
        found = existing
    elif len(evidence) >= MAX_FILES:
        raise Invalid(N_("No more files may be added: remove one first."), field="file")
    else:
        found = RecognitionEvidence(name=file_name, content=content)
        evidence.append(found)
    session.flush()
    return found


def remove_evidence(session: Session, actor: Actor, application_id: int, evidence_id: int) -> None:
    """Remove a file from a draft."""
    view = draft_view(session, actor, application_id)
    found = _find(view, evidence_id)
    view.application.evidence.remove(found)
    session.flush()


def evidence_file(
    session: Session, actor: Actor, application_id: int, evidence_id: int
) -> RecognitionEvidence:
    """A file of an application, for its learner, its jury and its registrars only (404)."""
    return _find(application_view(session, actor, application_id), evidence_id)


def _find(view: ApplicationView, evidence_id: int) -> RecognitionEvidence:
    found = next((e for e in view.application.evidence if e.id == evidence_id), None)
    if found is None:
        raise NotFound(NO_FILE)
    return found
