"""A post's file as the API and the pages send it: as an attachment, resumable (Range)."""

from fastapi.responses import StreamingResponse

from app.core.config import Settings
from app.core.downloads import stored_file_response
from app.core.storage import storage_for
from app.forums.models import ForumPostFile


def file_response(settings: Settings, found: ForumPostFile) -> StreamingResponse:
    content = found.content
    return stored_file_response(
        storage_for(settings), content.sha256, found.name, content.media_type, content.size
    )
