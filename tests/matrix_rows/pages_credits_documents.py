"""The learner's documents page: every signed-in person has their own (and may issue their own
transcript); nobody downloads somebody else's document there, managers included (404). The
verification page and the key set are public."""

from app.core.actors import SYSTEM
from app.credits.document_models import DocumentKind
from app.credits.document_schemas import DocumentIssue
from app.credits.service import documents
from tests.test_page_permission_matrix import LOGIN, World, answers, everyone, page, signed_in

MINE = "/me/credits/documents"


def _keys(w: World) -> dict[str, object]:
    w.settings.signing_keys_dir = w.settings.storage_dir / "keys"
    return {}


def _victims(w: World) -> str:
    _keys(w)
    request = DocumentIssue(kind=DocumentKind.TRANSCRIPT)
    issued = documents.issue(w.db, SYSTEM, w.settings, w.victim_id, request)
    w.db.flush()
    return issued.document.public_id


page("GET", "/.well-known/jwks.json", everyone(200))
page("GET", MINE, signed_in(200))
page("POST", MINE, signed_in(303), lambda w: {**_keys(w), "data": {"kind": "transcript"}})
page(
    "GET", MINE + "/{document_id}/pdf", answers(LOGIN, 404, 404, 404, 404, 404),
    lambda w: {"document_id": _victims(w)},
)  # fmt: skip
page("GET", "/verify", everyone(200))
page("POST", "/verify", everyone(200), lambda w: {"data": {"document": _victims(w)}})
page("GET", "/verify/{document_id}", everyone(200), lambda w: {"document_id": _victims(w)})
