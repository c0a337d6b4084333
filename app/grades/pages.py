"""Every page router of the grades domain, mounted by the app. Each slice keeps its routes in
its own module and adds its router here on a line of its own."""

from fastapi import APIRouter

from app.grades.grader_pages import router as grader_router
from app.grades.setup_category_pages import router as setup_category_router
from app.grades.setup_pages import router as setup_router
from app.grades.worksheet_pages import router as worksheet_router

routers: list[APIRouter] = []
routers.append(grader_router)
routers.append(worksheet_router)
routers.append(setup_router)
routers.append(setup_category_router)
