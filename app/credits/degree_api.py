"""Credits API: degree (filled in by its slice)."""

from fastapi import APIRouter

router = APIRouter(tags=["credits"])
