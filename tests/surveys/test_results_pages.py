"""Survey results through the page, the API and the CSV downloads: the figures, charts and
tables; nothing of a survey, question or group under the threshold in any of them; the
breakdown form; formulas neutralised; and exactly who may read them."""

import csv
import io

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.core.config import Settings
from app.surveys.models import QuestionKind
from tests.surveys.results_factories import (
    HYPERLINK,
    ResultsWorld,
    add_question,
    add_section,
    hand_counted,
    headers_of,
    respond,
    responses_from,
    results_world,
    signed_in,
    simple_survey,
)


@pytest.fixture
def w(db: Session, settings: Settings) -> ResultsWorld:
    return results_world(db, settings)


def _page(w: ResultsWorld, suffix: str = "") -> str:
    return f"/surveys/{w.survey.id}/results{suffix}"


def _api(w: ResultsWorld, suffix: str = "") -> str:
    return f"/api/v1/surveys/{w.survey.id}/results{suffix}"


def test_the_page_draws_a_chart_and_a_table_per_question(
    client: TestClient, db: Session, w: ResultsWorld
) -> None:
    hand_counted(db, w.survey)
    signed_in(client, db, w.teacher)

    page = client.get(_page(w))

    assert page.status_code == 200
    html = page.text
    assert "6 responses" in html
    assert html.count("<svg") == 5  # every question but the two free-text ones
    assert html.count("<table>") == 5
    assert '<tr><th scope="row">Colleague</th><td>3</td><td>50%</td></tr>' in html
    assert "3 (50%)" in html  # the chart writes its figures out
    assert "Mean: 2.5 · median: 3" in html
    assert "5 respondents · Each respondent may choose several options" in html
    assert "Shorter videos" in html
    # "Anything else?" had two answers: its question is shown, its answers are not.
    assert "Anything else?" in html
    assert "More please" not in html
    assert "Fewer than 5 responses: no figures are shown." in html
    assert f'href="{_page(w, ".csv")}"' in html
    assert "<script" not in html  # no JavaScript, and the answer holding a tag is escaped
    assert "&lt;script&gt;alert(1)&lt;/script&gt; subtitles" in html
    assert len(page.content) < 60_000


def test_a_label_holding_markup_is_escaped_in_the_chart(
    client: TestClient, db: Session, w: ResultsWorld
) -> None:
    section = add_section(db, w.survey)
    question = add_question(db, section, QuestionKind.SINGLE, "Pick <b>one</b>",
                            ["<script>alert('x')</script>", "Plain"])  # fmt: skip
    for i in range(5):
        respond(db, w.survey, {question: i % 2})
    signed_in(client, db, w.owner)

    html = client.get(_page(w)).text

    svg = html[html.index("<svg") : html.index("</svg>")]
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in svg
    assert 'aria-label="Pick &lt;b&gt;one&lt;/b&gt;"' in svg
    assert "<script" not in html
    assert "<b>one" not in html


def test_an_arabic_page_mirrors_its_charts(
    client: TestClient, db: Session, w: ResultsWorld
) -> None:
    hand_counted(db, w.survey)
    w.teacher.preferred_language = "ar"
    signed_in(client, db, w.teacher)

    html = client.get(_page(w)).text

    assert 'dir="rtl"' in html
    svg = html[html.index("<svg") : html.index("</svg>")]
    assert 'text-anchor="end"' in svg
    assert 'text-anchor="start"' not in svg


def _no_figures(text: str) -> None:
    for figure in ("Yes", "No", "4 responses", "%", "<svg", "<table", '"count"', "percent"):
        assert figure not in text, figure


def test_under_the_threshold_the_page_api_and_csv_show_no_figure(
    client: TestClient, db: Session, w: ResultsWorld
) -> None:
    _, question = simple_survey(db, w.survey)
    responses_from(db, w.survey, question, {"LA": 4})
    signed_in(client, db, w.teacher)
    headers = headers_of(client, db, w.teacher)

    page = client.get(_page(w))
    body = client.get(_api(w), headers=headers)
    exported = client.get(_api(w, ".csv"), headers=headers)
    downloaded = client.get(_page(w, ".csv"))

    assert page.status_code == body.status_code == exported.status_code == 200
    assert "Fewer than 5 responses: no figures are shown." in page.text
    _no_figures(page.text.split("<main", 1)[1])
    assert body.json() == {
        "survey_id": w.survey.id, "title": w.survey.title, "threshold": 5, "suppressed": True,
        "questions": [{"id": question.id, "section": "About the course",
                       "text": "Was it useful?", "kind": "single", "suppressed": True}],
        "breakdowns": [],
    }  # fmt: skip
    for text in (exported.text, downloaded.text):
        assert "Fewer than 5 responses" in text
        assert "Was it useful?" not in text
        _no_figures(text.split("\n", 1)[1])


def test_a_survey_that_raises_its_threshold_hides_what_the_platform_would_show(
    client: TestClient, db: Session, w: ResultsWorld
) -> None:
    hand_counted(db, w.survey)
    w.survey.min_group_size = 8
    db.flush()
    headers = headers_of(client, db, w.coordinator)

    body = client.get(_api(w), headers=headers).json()
    exported = client.get(_api(w, ".csv"), headers=headers).text

    assert (body["threshold"], body["suppressed"], "responses" in body) == (8, True, False)
    assert all(set(q) == {"id", "section", "text", "kind", "suppressed"} for q in body["questions"])
    assert "Fewer than 8 responses" in exported
    assert "Colleague" not in exported


def test_the_api_gives_the_hand_counted_figures(
    client: TestClient, db: Session, w: ResultsWorld
) -> None:
    q = hand_counted(db, w.survey)

    body = client.get(_api(w), headers=headers_of(client, db, w.owner)).json()

    assert body["responses"] == 6
    assert body["breakdowns"] == []
    heard, topics, useful, rating, years, wishes, other = body["questions"]
    assert heard["figures"] == [
        {"label": "Colleague", "count": 3, "percent": 50.0},
        {"label": "Website", "count": 2, "percent": 33.3},
        {"label": "Ministry", "count": 1, "percent": 16.7},
    ]
    assert (topics["answered"], sum(f["percent"] for f in topics["figures"])) == (5, 180.0)
    assert (useful["mean"], useful["median"]) == (2.5, 3.0)
    assert (rating["mean"], rating["median"], len(rating["figures"])) == (7.83, 8.0, 11)
    assert (years["mean"], years["median"]) == (4.0, 3.0)
    assert wishes["id"] == q.wishes.id
    assert len(wishes["texts"]) == 5
    assert "figures" not in wishes
    assert other == {"id": q.other.id, "section": "Your practice", "text": "Anything else?",
                     "kind": "short_text", "suppressed": True}  # fmt: skip


def test_a_breakdown_shows_the_pool_and_hides_the_small_groups_everywhere(
    client: TestClient, db: Session, w: ResultsWorld
) -> None:
    _, question = simple_survey(db, w.survey)
    responses_from(db, w.survey, question, {"LA": 7, "VN": 6, "KH": 3})
    signed_in(client, db, w.teacher)
    headers = headers_of(client, db, w.teacher)

    page = client.get(_page(w), params={"by": "country"})
    body = client.get(_api(w), params={"by": "country"}, headers=headers).json()
    exported = client.get(_api(w, ".csv"), params={"by": "country"}, headers=headers)

    assert page.status_code == 200
    assert '<option value="country" selected>Country</option>' in page.text
    assert '<form method="get" action="/surveys/' in page.text
    assert '<h2 id="group-1">Laos</h2>' in page.text
    assert "Other groups" in page.text
    assert "Cambodia" not in page.text
    assert "Vietnam" not in page.text  # joined the pool: Cambodia alone could be recovered
    groups = [(g["label"], g["responses"]) for g in body["groups"]]
    assert groups == [("Laos", 7), ("Other groups", 9)]
    assert sum(responses for _, responses in groups) == body["responses"]  # nothing left over
    rows = list(csv.reader(io.StringIO(exported.text.removeprefix("\ufeff"))))
    assert {row[0] for row in rows[1:]} == {"All responses", "Laos", "Other groups"}
    assert not any(cell in ("3", "6") for row in rows if row[3] == "Responses" for cell in row)


def test_a_breakdown_that_is_not_offered_is_refused_and_the_page_says_why(
    client: TestClient, db: Session, w: ResultsWorld
) -> None:
    _, question = simple_survey(db, w.survey)
    responses_from(db, w.survey, question, {"LA": 9, "VN": 2})
    signed_in(client, db, w.teacher)

    page = client.get(_page(w), params={"by": "country"})
    body = client.get(_api(w), params={"by": "country"}, headers=headers_of(client, db, w.teacher))

    assert page.status_code == 400
    assert "fewer than two of its groups have enough responses" in page.text
    assert "9 (81.8%)" not in page.text  # shown without a breakdown: 5 Yes of 11
    assert "11 responses" in page.text
    assert (body.status_code, body.json()["code"]) == (422, "breakdown_not_offered")


def test_the_csv_download_is_an_attachment_with_formulas_neutralised(
    client: TestClient, db: Session, w: ResultsWorld
) -> None:
    hand_counted(db, w.survey)
    signed_in(client, db, w.teacher)

    downloaded = client.get(_page(w, ".csv"))
    exported = client.get(_api(w, ".csv"), headers=headers_of(client, db, w.teacher))

    for response in (downloaded, exported):
        assert response.status_code == 200
        assert response.headers["content-type"] == "text/csv; charset=utf-8"
        assert response.headers["content-disposition"] == (
            f"attachment; filename*=UTF-8''survey-{w.survey.id}-results.csv"
        )
        assert f"'{HYPERLINK}".replace('"', '""') in response.text
        assert f",{HYPERLINK}".replace('"', '""') not in response.text


# --- Who may read ---------------------------------------------------------------------------

READERS = ("owner", "teacher", "coordinator")
REFUSED = ("student", "other_teacher", "other_manager")


@pytest.mark.parametrize("who", READERS)
def test_the_owner_the_courses_teachers_and_coordinators_read_the_results(
    client: TestClient, db: Session, w: ResultsWorld, who: str
) -> None:
    hand_counted(db, w.survey)
    user: User = getattr(w, who)
    headers = headers_of(client, db, user)
    signed_in(client, db, user)

    assert client.get(_page(w)).status_code == 200
    assert client.get(_page(w, ".csv")).status_code == 200
    assert client.get(_api(w), headers=headers).status_code == 200
    assert client.get(_api(w, ".csv"), headers=headers).status_code == 200


@pytest.mark.parametrize("who", REFUSED)
def test_others_find_no_such_survey(
    client: TestClient, db: Session, w: ResultsWorld, who: str
) -> None:
    hand_counted(db, w.survey)
    user: User = getattr(w, who)
    headers = headers_of(client, db, user)
    signed_in(client, db, user)

    for path in (_page(w), _page(w, ".csv")):
        response = client.get(path)
        assert response.status_code == 404
        assert "Colleague" not in response.text
    for path in (_api(w), _api(w, ".csv")):
        response = client.get(path, headers=headers)
        assert (response.status_code, response.json()["code"]) == (404, "no_such_survey")


def test_a_visitor_is_sent_to_sign_in_and_the_api_asks_for_a_token(
    client: TestClient, db: Session, w: ResultsWorld
) -> None:
    hand_counted(db, w.survey)

    for path in (_page(w), _page(w, ".csv")):
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 303
        assert response.headers["location"] == f"/login?next={path}"
    for path in (_api(w), _api(w, ".csv")):
        response = client.get(path)
        assert (response.status_code, response.json()["code"]) == (401, "unauthenticated")
