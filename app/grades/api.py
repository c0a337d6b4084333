"""Every JSON router of the grades domain, mounted under /api/v1 by the app. Each slice keeps its
routes in its own module and adds its router here on a line of its own."""

from fastapi import APIRouter

from app.grades import grader_api, results_api, setup_api

routers: list[APIRouter] = []
routers.append(grader_api.router)
routers.append(setup_api.router)
routers.append(results_api.router)
