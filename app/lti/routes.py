"""The LTI domain's routers, gathered for the application factory."""

from fastapi import APIRouter

from app.lti import admin_pages, keys_routes, platform_api, tool_api

# Under /api/v1: registering tools and platforms, placing tools in courses.
api_routers: list[APIRouter] = [*platform_api.routers, *tool_api.routers]
# Outside /api/v1: the protocol endpoints (LTI messages, OAuth 2, AGS, NRPS) and the pages.
page_routers: list[APIRouter] = [
    keys_routes.router,
    platform_api.protocol_router,
    tool_api.protocol_router,
    *admin_pages.routers,
]
