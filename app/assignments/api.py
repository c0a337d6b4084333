"""Every JSON router of the assignments domain, mounted under /api/v1 by the app. Each slice
keeps its routes in its own module and adds its router here on a line of its own."""

from fastapi import APIRouter

from app.assignments import jury_api
from app.assignments.marking_api import router as marking_router
from app.assignments.settings_api import router as settings_router
from app.assignments.submission_api import router as submission_router

routers: list[APIRouter] = []
routers.append(settings_router)
routers.append(submission_router)
routers.append(jury_api.router)
routers.append(marking_router)
