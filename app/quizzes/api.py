"""Every JSON router of the quizzes domain, mounted under /api/v1 by the app. Each slice keeps its
routes in its own module and adds its router here on a line of its own."""

from fastapi import APIRouter

from app.quizzes.attempt_api import router as attempt_router
from app.quizzes.bank_api import router as bank_router
from app.quizzes.quiz_api import router as quiz_router

routers: list[APIRouter] = []
routers.append(quiz_router)
routers.append(attempt_router)
routers.append(bank_router)
