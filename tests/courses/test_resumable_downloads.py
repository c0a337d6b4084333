"""A learner whose connection drops resumes a course file by byte range (RFC 9110 §14)."""

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.core.config import Settings
from app.membership.models import CourseRole
from tests.accounts.factories import PASSWORD, api_token, bearer, make_user
from tests.courses.factories import enrol_as, import_hs101, module

# Text compresses well: were the download gzipped, its bytes would not be the stored ones.
CONTENT = b"".join(b"line %05d of the reading\n" % n for n in range(2000))


@pytest.fixture
def download(client: TestClient, db: Session, settings: Settings) -> tuple[str, dict[str, str]]:
    course = import_hs101(db, settings)
    course.is_open = False  # only its participants may know of it
    teacher = make_user(db, email="t@example.org", password=PASSWORD)
    enrol_as(db, course, teacher, CourseRole.TEACHER)
    db.flush()
    headers = bearer(api_token(client, teacher.email))
    uploaded = client.post(
        f"/api/v1/modules/{module(db, course, 'glossary').id}/files",
        files={"file": ("reading.txt", CONTENT)},
        headers=headers,
    )
    assert uploaded.status_code == 201
    return uploaded.json()["url"], headers


def test_a_download_offers_ranges_and_is_sent_as_stored(client: TestClient, download):
    url, headers = download

    whole = client.get(url, headers={**headers, "Accept-Encoding": "gzip"})

    assert whole.status_code == 200
    assert whole.headers["accept-ranges"] == "bytes"
    assert "content-encoding" not in whole.headers
    assert whole.headers["content-length"] == str(len(CONTENT))
    assert whole.content == CONTENT


def test_a_dropped_download_resumes_where_it_stopped(client: TestClient, download):
    url, headers = download
    etag = client.get(url, headers=headers).headers["etag"]
    received = CONTENT[:20_000]  # the connection dropped here

    rest = client.get(url, headers={**headers, "Range": "bytes=20000-", "If-Range": etag})

    assert rest.status_code == 206
    assert rest.headers["content-range"] == f"bytes 20000-{len(CONTENT) - 1}/{len(CONTENT)}"
    assert rest.headers["content-length"] == str(len(CONTENT) - 20_000)
    assert received + rest.content == CONTENT


@pytest.mark.parametrize(
    ("asked", "first", "last"),
    [("bytes=0-9", 0, 9), ("bytes=10-19", 10, 19), ("bytes=-5", None, None)],
)
def test_a_span_gets_exactly_its_bytes(client: TestClient, download, asked, first, last):
    url, headers = download
    if first is None:
        first, last = len(CONTENT) - 5, len(CONTENT) - 1

    part = client.get(url, headers={**headers, "Range": asked})

    assert part.status_code == 206
    assert part.content == CONTENT[first : last + 1]
    assert part.headers["content-range"] == f"bytes {first}-{last}/{len(CONTENT)}"


def test_a_range_of_another_version_gets_the_whole_file(client: TestClient, download):
    url, headers = download

    stale = client.get(url, headers={**headers, "Range": "bytes=100-", "If-Range": '"other"'})

    assert stale.status_code == 200
    assert stale.content == CONTENT


@pytest.mark.parametrize("asked", ["bytes=0-1,5-9", "pages=1-2", "bytes=9-2", "bytes=x-"])
def test_ranges_it_does_not_serve_get_the_whole_file(client: TestClient, download, asked):
    url, headers = download

    whole = client.get(url, headers={**headers, "Range": asked})

    assert whole.status_code == 200
    assert whole.content == CONTENT


def test_a_span_past_the_end_is_416_with_the_size(client: TestClient, download):
    url, headers = download

    refused = client.get(url, headers={**headers, "Range": f"bytes={len(CONTENT)}-"})

    assert refused.status_code == 416
    assert refused.headers["content-range"] == f"bytes */{len(CONTENT)}"
    assert refused.json()["code"] == "range_not_satisfiable"


def test_a_range_does_not_open_a_hidden_file(client: TestClient, download, db: Session):
    url, _ = download
    outsider = make_user(db, email="o@example.org", password=PASSWORD)

    refused = client.get(
        url, headers={**bearer(api_token(client, outsider.email)), "Range": "bytes=0-9"}
    )

    assert refused.status_code == 404


@pytest.mark.parametrize("path", ["/login", "/static/agora.css"])
def test_pages_and_styles_are_still_compressed(client: TestClient, path: str):
    response = client.get(path, headers={"Accept-Encoding": "gzip"})

    assert response.status_code == 200
    assert response.headers["content-encoding"] == "gzip"
