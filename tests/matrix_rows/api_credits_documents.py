"""Signed documents over the API: the learner's own (none of the callers here is the victim),
registrars within reach issue, read and revoke; a partner system with `credits:read` reads
its institution's learners' documents but issues and revokes none (403), one without the
scope reads nothing (403); everyone else is told the learner or document does not exist.
Verification is public."""

from app.core.actors import SYSTEM
from app.credits.document_models import DocumentKind
from app.credits.document_schemas import DocumentIssue
from app.credits.service import documents
from tests.test_permission_matrix import World, register

READ = "401 | 404 404 404 404 | 200 200 | 200 403 | 404 404"
ISSUE = "401 | 404 404 404 404 | 201 201 | 403 403 | 404 404"
EVERYONE = "200 | 200 200 200 200 | 200 200 | 200 200 | 200 200"


def _keys(w: World) -> None:
    w.settings.signing_keys_dir = w.settings.storage_dir / "keys"


def _victim(w: World) -> dict[str, object]:
    _keys(w)
    return {"user_id": w.victim_id}


def _document(w: World) -> str:
    _keys(w)
    request = DocumentIssue(kind=DocumentKind.TRANSCRIPT)
    issued = documents.issue(w.db, SYSTEM, w.settings, w.victim_id, request)
    w.db.flush()
    return issued.document.public_id


U = "/api/v1/users/{user_id}/documents"
D = "/api/v1/documents/{document_id}"
register("post", U, ISSUE, lambda w: {**_victim(w), "json": {"kind": "transcript"}})
register("get", U, READ, _victim)
register("get", D, READ, lambda w: {"document_id": _document(w)})
register("get", D + "/pdf", READ, lambda w: {"document_id": _document(w)})
register(
    "post", D + "/revocations", ISSUE,
    lambda w: {"document_id": _document(w), "json": {"reason": "Issued in error"}},
)  # fmt: skip
register(
    "post", "/api/v1/documents/verify", EVERYONE,
    lambda w: {"json": {"id": _document(w)}},
)  # fmt: skip
