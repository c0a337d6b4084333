"""Rows of the two permission matrices for the domains that came later, one module per slice
(`api_<slice>.py` registers API operations, `pages_<slice>.py` portal routes), so the matrices
stay in one place without one file per domain growing past reading. Each row module imports
`register` / `page` and the World from its matrix; the matrix loads them when it is imported."""

import importlib
import pkgutil


def load(prefix: str) -> None:
    for info in pkgutil.iter_modules(__path__):
        if info.name.startswith(prefix):
            importlib.import_module(f"{__name__}.{info.name}")
