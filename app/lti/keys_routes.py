"""Our LTI public keys, which tools verify our id_tokens with and platforms our client
assertions with."""

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from app.core.db import SessionDep
from app.core.routes import DeferredRoute
from app.lti import keys

router = APIRouter(route_class=DeferredRoute)


@router.get("/lti/jwks.json", include_in_schema=False)
def lti_key_set(session: SessionDep) -> JSONResponse:
    return JSONResponse(
        keys.key_set(session),
        headers={"Cache-Control": "public, max-age=300"},
        media_type="application/jwk-set+json",
    )
