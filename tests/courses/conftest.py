from pathlib import Path

import pytest

from app.core.config import Settings


@pytest.fixture
def settings(settings: Settings, tmp_path: Path) -> Settings:
    """Uploads go to a folder of the test's own, so 'nothing stored' can be checked."""
    settings.storage_dir = tmp_path / "storage"
    settings.max_upload_bytes = 64 * 1024
    settings.max_package_bytes = 256 * 1024
    return settings


def stored_files(settings: Settings) -> list[Path]:
    root = settings.storage_dir
    return (
        # `tmp` is the spool folder inside the storage (the test's own folder is under /tmp).
        [p for p in root.rglob("*") if p.is_file() and "tmp" not in p.relative_to(root).parts]
        if root.exists()
        else []
    )
