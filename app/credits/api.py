"""Every JSON router of the credits domain, mounted under /api/v1 by the app. Each slice keeps
its routes in its own module and adds its router here on a line of its own."""

from fastapi import APIRouter

from app.credits import (
    degree_api,
    document_api,
    elmo_api,
    ledger_api,
    plan_api,
    progress_api,
    recognition_api,
    tables_api,
    transfer_api,
)

routers: list[APIRouter] = []
routers.append(ledger_api.router)
routers.append(progress_api.router)
routers.append(plan_api.router)
routers.append(degree_api.router)
routers.append(tables_api.router)
routers.append(recognition_api.router)
routers.append(transfer_api.router)
routers.append(document_api.router)
routers.append(elmo_api.router)
