"""Pages that compose several domains: the home page and, for a signed-in user, the dashboard."""

from fastapi import Request
from fastapi.responses import Response

from app.accounts.deps import page_router
from app.core.web import render

router = page_router()


@router.get("/")
def home(request: Request) -> Response:
    return render(request, "portal/home.html")
