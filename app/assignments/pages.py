"""Every page router of the assignments domain, mounted by the app. Each slice keeps its routes in
its own module and adds its router here on a line of its own."""

from fastapi import APIRouter

from app.assignments import jury_pages
from app.assignments.marking_pages import router as marking_router
from app.assignments.rubric_pages import router as rubric_router
from app.assignments.settings_pages import router as settings_router
from app.assignments.submission_pages import router as submission_router
from app.assignments.worksheet_pages import router as worksheet_router

routers: list[APIRouter] = []
routers.append(jury_pages.router)
routers.append(settings_router)
routers.append(submission_router)
routers.append(marking_router)
routers.append(rubric_router)
routers.append(worksheet_router)
