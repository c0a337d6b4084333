"""Credits pages: document (filled in by its slice)."""

from fastapi import APIRouter

router = APIRouter()
