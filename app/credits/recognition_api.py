"""Credits API: recognition (filled in by its slice)."""

from fastapi import APIRouter

router = APIRouter(tags=["credits"])
