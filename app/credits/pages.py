"""Every page router of the credits domain, mounted by the app. Each slice keeps its routes in
its own module and adds its router here on a line of its own."""

from fastapi import APIRouter

from app.credits import (
    degree_pages,
    document_pages,
    elmo_pages,
    ledger_pages,
    plan_pages,
    progress_pages,
    recognition_pages,
    tables_pages,
    transfer_pages,
)

routers: list[APIRouter] = []
routers.append(ledger_pages.router)
routers.append(progress_pages.router)
routers.append(plan_pages.router)
routers.append(degree_pages.router)
routers.append(tables_pages.router)
routers.append(recognition_pages.router)
routers.append(transfer_pages.router)
routers.append(document_pages.router)
routers.append(elmo_pages.router)
