"""The learner's own results as an ELMO file to download (for EMREX or a partner's office)."""

from fastapi import Response

from app.accounts.deps import CurrentUser, PortalActor, SettingsDep, page_router
from app.core.db import SessionDep
from app.core.downloads import attachment_headers
from app.credits.service import elmo_export
from app.credits.service.elmo_xml import MEDIA_TYPE

router = page_router()


@router.get("/me/credits/elmo.xml")
def download_elmo(
    session: SessionDep, actor: PortalActor, user: CurrentUser, settings: SettingsDep
) -> Response:
    """Your credits in force as an ELMO v1.7.0 document, as an attachment."""
    document = elmo_export.export_learner(session, actor, user.id, base_url=settings.base_url)
    return Response(document, media_type=MEDIA_TYPE, headers=attachment_headers("elmo.xml"))
