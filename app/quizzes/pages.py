"""Every page router of the quizzes domain, mounted by the app. Each slice keeps its routes in
its own module and adds its router here on a line of its own."""

from fastapi import APIRouter

from app.quizzes.attempt_pages import router as attempt_pages_router
from app.quizzes.bank_category_pages import router as bank_category_pages_router
from app.quizzes.bank_pages import router as bank_pages_router
from app.quizzes.bank_transfer_pages import router as bank_transfer_pages_router
from app.quizzes.quiz_pages import router as quiz_pages_router

routers: list[APIRouter] = []
routers.append(quiz_pages_router)
routers.append(attempt_pages_router)
routers.append(bank_pages_router)
routers.append(bank_category_pages_router)
routers.append(bank_transfer_pages_router)
