"""Every JSON router of the grades domain, mounted under /api/v1 by the app. Each slice keeps its
routes in its own module and adds its router here on a line of its own."""

from fastapi import APIRouter

routers: list[APIRouter] = []
