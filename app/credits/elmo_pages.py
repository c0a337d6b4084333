"""Credits pages: elmo (filled in by its slice)."""

from fastapi import APIRouter

router = APIRouter()
