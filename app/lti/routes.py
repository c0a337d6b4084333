"""The LTI domain's routers, gathered for the application factory."""

from fastapi import APIRouter

from app.lti import keys_routes

# Under /api/v1: registering tools and platforms.
api_routers: list[APIRouter] = []
# Outside /api/v1: the protocol endpoints (LTI messages, OAuth 2, AGS, NRPS) and the pages.
page_routers: list[APIRouter] = [keys_routes.router]
