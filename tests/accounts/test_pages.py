"""Portal sign-in, sessions, CSRF, redirects, profile and language."""

import re
from collections.abc import Iterator
from typing import Any

from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.accounts.deps import SESSION_COOKIE
from app.accounts.models import User, UserSession
from tests.accounts.factories import PASSWORD, make_user, page_csrf, sign_in
from tests.conftest import csrf_from


def _login(client: TestClient, email: str, password: str, next: str = "/"):
    token = csrf_from(client.get("/login").text)
    return client.post(
        "/login",
        data={"email": email, "password": password, "csrf_token": token, "next": next},
        follow_redirects=False,
    )


def test_signing_in_opens_the_profile_page(client: TestClient, db: Session):
    make_user(db, email="noy@example.org", password=PASSWORD)

    response = _login(client, "Noy@Example.org", PASSWORD, next="/profile")

    assert response.status_code == 303
    assert response.headers["location"] == "/profile"
    cookie = response.headers["set-cookie"]
    assert "HttpOnly" in cookie
    assert "samesite=lax" in cookie.lower()
    assert client.get("/profile").status_code == 200


def test_failed_sign_in_shows_the_form_again_with_the_address_typed(
    client: TestClient, db: Session
):
    make_user(db, email="noy@example.org", password=PASSWORD)

    response = _login(client, "noy@example.org", "wrong password")

    assert response.status_code == 400
    assert "not correct" in response.text
    assert 'value="noy@example.org"' in response.text
    assert SESSION_COOKIE not in client.cookies


def test_session_id_changes_at_each_sign_in(client: TestClient, db: Session):
    make_user(db, email="noy@example.org", password=PASSWORD)
    _login(client, "noy@example.org", PASSWORD)
    first = client.cookies[SESSION_COOKIE]

    _login(client, "noy@example.org", PASSWORD)
    second = client.cookies[SESSION_COOKIE]

    assert first != second
    client.cookies.set(SESSION_COOKIE, first)
    assert client.get("/profile", follow_redirects=False).status_code == 303


def test_a_planted_session_cookie_is_not_adopted_at_sign_in(client: TestClient, db: Session):
    make_user(db, email="noy@example.org", password=PASSWORD)
    client.cookies.set(SESSION_COOKIE, "attacker-chosen-value")

    response = _login(client, "noy@example.org", PASSWORD)

    issued = response.headers["set-cookie"].split(";")[0].split("=", 1)[1]
    assert issued
    assert issued != "attacker-chosen-value"


def test_next_pointing_to_another_site_is_refused(client: TestClient, db: Session):
    make_user(db, email="noy@example.org", password=PASSWORD)
    for target in ("https://evil.example/", "//evil.example/x", "/\\evil.example", "http:/x"):
        response = _login(client, "noy@example.org", PASSWORD, next=target)
        assert response.headers["location"] == "/", target


def test_form_without_csrf_token_is_refused_and_changes_nothing(client: TestClient, db: Session):
    user = make_user(db, email="noy@example.org", password=PASSWORD)
    sign_in(client, user.email)

    response = client.post("/profile", data={"display_name": "Changed", "time_zone": "UTC"})

    assert response.status_code == 403
    db.expire_all()
    assert db.get(User, user.id).display_name != "Changed"


def test_form_with_a_wrong_csrf_token_is_refused(client: TestClient, db: Session):
    make_user(db, email="noy@example.org", password=PASSWORD)

    response = client.post(
        "/login",
        data={"email": "noy@example.org", "password": PASSWORD, "csrf_token": "0" * 64},
    )

    assert response.status_code == 403
    assert SESSION_COOKIE not in client.cookies


def _page_routes(routes: list[Any]) -> Iterator[APIRoute]:
    for route in routes:
        if isinstance(route, APIRoute) and not route.include_in_schema:
            yield route
        elif hasattr(route, "original_router"):  # FastAPI keeps included routers nested
            yield from _page_routes(route.original_router.routes)


# LTI protocol endpoints: other systems post to them cross-site, so no form of ours carries a
# CSRF token there. Each request is bound instead by a token signed for it (an id_token, a
# client assertion, our signed login hint); the page matrix shows they refuse without one.
# A mail program posts the one-click unsubscribe (RFC 8058) with the link's secret alone.
CROSS_SITE_BY_DESIGN = ("/lti/authorize", "/lti/deep-linking/return", "/lti/token", "/lti/ags/",
                        "/lti/tool/login", "/lti/tool/launch", "/unsubscribe/")  # fmt: skip


def test_every_form_route_refuses_a_post_without_csrf_token(client: TestClient, app):
    posts = [
        re.sub(r"\{[^}]+\}", "1", route.path)
        for route in _page_routes(app.routes)
        if "POST" in route.methods and not route.path.startswith(CROSS_SITE_BY_DESIGN)
    ]
    assert "/login" in posts
    assert "/admin/lti/tools" in posts

    for path in posts:
        assert client.post(path, data={}).status_code == 403, path


def test_sign_out_ends_the_session_on_the_server(client: TestClient, db: Session):
    user = make_user(db, email="noy@example.org", password=PASSWORD)
    sign_in(client, user.email)
    token = client.cookies[SESSION_COOKIE]

    client.post("/logout", data={"csrf_token": page_csrf(client)})

    client.cookies.set(SESSION_COOKIE, token)
    assert client.get("/profile", follow_redirects=False).status_code == 303


def test_sign_out_everywhere_ends_every_session(app, db: Session):
    user = make_user(db, email="noy@example.org", password=PASSWORD)
    laptop, phone = TestClient(app), TestClient(app)
    sign_in(laptop, user.email)
    sign_in(phone, user.email)

    laptop.post("/logout-everywhere", data={"csrf_token": page_csrf(laptop, "/profile")})

    assert phone.get("/profile", follow_redirects=False).status_code == 303
    sessions = db.scalar(
        select(func.count()).select_from(UserSession).where(UserSession.user_id == user.id)
    )
    assert sessions == 0


def test_profile_page_requires_sign_in(client: TestClient):
    response = client.get("/profile", follow_redirects=False)

    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/profile"


def _zone_picker(page: str) -> str:
    start = page.index('<select id="time_zone"')
    return page[start : page.index("</select>", start)]


def test_the_profile_offers_zones_by_region_with_the_current_one_chosen(
    client: TestClient, db: Session
):
    user = make_user(db, email="noy@example.org", password=PASSWORD, language="fr")
    sign_in(client, user.email)

    page = client.get("/profile").text
    picker = _zone_picker(page)

    assert '<label for="time_zone">' in page
    assert re.findall(r'<optgroup label="([^"]+)"', picker)[:5] == [
        "Afrique", "Amérique", "Antarctique", "Arctique", "Asie",
    ]  # fmt: skip
    assert '<option value="Asia/Vientiane" selected>Vientiane</option>' in picker
    assert '<option value="Africa/Casablanca">Casablanca</option>' in picker
    assert '<option value="America/Argentina/Buenos_Aires">Buenos Aires</option>' in picker
    assert 'value="Asia/Calcutta"' not in picker  # the old name of Kolkata
    assert 'value="Etc/GMT+3"' not in picker
    assert '<option value="UTC">UTC</option>' in picker


def test_an_old_zone_name_set_through_the_api_stays_chosen(client: TestClient, db: Session):
    user = make_user(db, email="noy@example.org", password=PASSWORD, time_zone="Asia/Calcutta")
    sign_in(client, user.email)

    picker = _zone_picker(client.get("/profile").text)

    assert '<option value="Asia/Calcutta" selected>Asia/Calcutta</option>' in picker
    assert picker.count(" selected") == 1


def test_a_zone_not_in_the_list_is_refused_and_nothing_is_saved(client: TestClient, db: Session):
    user = make_user(db, email="noy@example.org", password=PASSWORD)
    before = (user.display_name, user.preferred_language, user.time_zone, user.country)
    sign_in(client, user.email)

    response = client.post(
        "/profile",
        data={
            "csrf_token": page_csrf(client, "/profile"),
            "display_name": "Noy Keomany",
            "preferred_language": "fr",
            "time_zone": "Mars/Olympus",
            "country": "LA",
        },
    )

    assert response.status_code == 400
    assert "Choose a time zone by its IANA name, such as Asia/Vientiane." in response.text
    assert 'value="Noy Keomany"' in response.text
    assert 'value="Mars/Olympus"' not in response.text  # not offered back as a choice
    db.expire_all()
    saved = db.get(User, user.id)
    assert saved is not None
    assert (saved.display_name, saved.preferred_language, saved.time_zone, saved.country) == before


def test_profile_saves_language_zone_and_country(client: TestClient, db: Session):
    user = make_user(db, email="noy@example.org", password=PASSWORD)
    sign_in(client, user.email)
    assert '<option value="Asia/Ho_Chi_Minh">Ho Chi Minh City</option>' in _zone_picker(
        client.get("/profile").text
    )

    response = client.post(
        "/profile",
        data={
            "csrf_token": page_csrf(client, "/profile"),
            "display_name": "Noy Keomany",
            "preferred_language": "fr",
            "time_zone": "Asia/Ho_Chi_Minh",
            "country": "vn",
        },
        follow_redirects=False,
    )

    assert response.status_code == 303
    db.expire_all()
    saved = db.get(User, user.id)
    assert saved is not None
    assert (saved.preferred_language, saved.time_zone, saved.country) == (
        "fr",
        "Asia/Ho_Chi_Minh",
        "VN",
    )
    assert '<option value="Asia/Ho_Chi_Minh" selected>Hô-Chi-Minh-Ville</option>' in _zone_picker(
        client.get("/profile").text
    )


def test_changing_password_needs_the_current_one(client: TestClient, db: Session):
    user = make_user(db, email="noy@example.org", password=PASSWORD)
    sign_in(client, user.email)
    form = {"csrf_token": page_csrf(client, "/profile"), "new_password": "a brand new passphrase"}

    refused = client.post("/profile/password", data={**form, "current_password": "guess"})
    accepted = client.post(
        "/profile/password", data={**form, "current_password": PASSWORD}, follow_redirects=False
    )

    assert refused.status_code == 400
    assert "current password is not correct" in refused.text
    assert accepted.status_code == 303
    client.cookies.clear()
    sign_in(client, user.email, "a brand new passphrase")


def test_language_switch_is_remembered_for_visitors(client: TestClient):
    client.post("/language", data={"csrf_token": page_csrf(client), "language": "fr"})

    page = client.get("/login")

    assert '<html lang="fr" dir="ltr">' in page.text


def test_browser_language_is_used_when_nothing_was_chosen(client: TestClient):
    page = client.get("/login", headers={"Accept-Language": "ar-MA,ar;q=0.9"})

    assert '<html lang="ar" dir="rtl">' in page.text


def test_signed_in_users_language_wins_over_the_browser(client: TestClient, db: Session):
    user = make_user(db, email="ivan@example.org", password=PASSWORD, language="ru")
    sign_in(client, user.email)

    page = client.get("/profile", headers={"Accept-Language": "fr"})

    assert '<html lang="ru"' in page.text
