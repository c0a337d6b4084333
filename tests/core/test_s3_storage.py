"""The S3 backend against an S3-compatible server (moto's, started here): what the local
store does, it does — save, read whole or by span, know, date, list, delete — and a download
through the app resumes by range from the bucket as from the disk."""

import io
import socket
from collections.abc import Iterator

import boto3
import pytest
from fastapi.testclient import TestClient
from moto.server import ThreadedMotoServer
from sqlalchemy.orm import Session

from app.core.config import Settings
from app.core.storage import S3Storage, storage_for
from app.membership.models import CourseRole
from tests.accounts.factories import PASSWORD, api_token, bearer, make_user
from tests.courses.factories import enrol_as, import_hs101, module

CONTENT = b"".join(b"chunk %06d\n" % n for n in range(10_000))  # ~130 KB: two read chunks


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=_free_port(), verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def s3_settings(
    settings: Settings, s3_endpoint: str, monkeypatch: pytest.MonkeyPatch, tmp_path
) -> Settings:
    for name, value in {"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test"}.items():
        monkeypatch.setenv(name, value)
    bucket = f"agora-{tmp_path.name.lower().replace('_', '-')}"[:63]
    boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1").create_bucket(
        Bucket=bucket
    )
    settings.storage_backend = "s3"
    settings.s3_bucket = bucket
    settings.s3_endpoint_url = s3_endpoint
    settings.s3_region = "us-east-1"
    settings.storage_dir = tmp_path
    return settings


def test_the_bucket_keeps_what_is_saved_until_it_is_deleted(s3_settings: Settings):
    storage = storage_for(s3_settings)
    assert isinstance(storage, S3Storage)

    stored = storage.save(io.BytesIO(CONTENT), "notes.txt", limit=1_000_000)
    again = storage.save(io.BytesIO(CONTENT), "copy.txt", limit=1_000_000)

    assert stored.created
    assert not again.created
    assert b"".join(storage.open(stored.sha256)) == CONTENT
    assert b"".join(storage.open(stored.sha256, 70_000, 11)) == CONTENT[70_000:70_011]
    assert b"".join(storage.open(stored.sha256, 129_990)) == CONTENT[129_990:]
    assert storage.exists(stored.sha256)
    assert storage.modified_at(stored.sha256) is not None
    assert [key for key, _ in storage.inventory()] == [stored.sha256]

    storage.delete(stored.sha256)

    assert not storage.exists(stored.sha256)
    assert storage.modified_at(stored.sha256) is None
    assert list(storage.inventory()) == []


def test_a_download_from_the_bucket_resumes_by_range(
    client: TestClient, db: Session, s3_settings: Settings
):
    course = import_hs101(db, s3_settings)
    teacher = make_user(db, email="t@example.org", password=PASSWORD)
    enrol_as(db, course, teacher, CourseRole.TEACHER)
    db.flush()
    headers = bearer(api_token(client, teacher.email))
    url = client.post(
        f"/api/v1/modules/{module(db, course, 'glossary').id}/files",
        files={"file": ("reading.txt", CONTENT)},
        headers=headers,
    ).json()["url"]

    whole = client.get(url, headers=headers)
    rest = client.get(
        url, headers={**headers, "Range": "bytes=100000-", "If-Range": whole.headers["etag"]}
    )

    assert whole.content == CONTENT
    assert rest.status_code == 206
    assert CONTENT[:100_000] + rest.content == CONTENT
