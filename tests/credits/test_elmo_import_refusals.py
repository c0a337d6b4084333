"""ELMO import refusals: malformed, invalid, hostile (XXE, billion laughs), oversized or
partly bad documents are refused whole with a 422 problem and write nothing."""

import copy

import pytest
from lxml import etree

from app.core.actors import Scope
from app.credits.service.elmo_xml import q
from tests.credits.elmo_world import (
    ELMO,
    ElmoWorld,
    assert_refused,
    edited,
    elmo_world,
    host_document,
    known_to_host,
    post,
)


@pytest.fixture
def w(db, settings) -> ElmoWorld:
    return elmo_world(db, settings)


def test_malformed_xml_is_refused_with_its_line(client, w):
    learner_id = known_to_host(w)
    host = w.partner(w.host, [Scope.CREDITS_WRITE])
    before = w.entry_count()

    response = post(client, b"<elmo>\n<report>\n</elmo>", host, learner_id=learner_id)

    assert_refused(response, 422, "elmo_invalid", w, before)
    assert "line 3" in response.json()["detail"]


def test_a_document_invalid_against_the_xsd_is_refused_with_the_first_error(client, w):
    document = host_document(client, w)
    learner_id = known_to_host(w)
    host = w.partner(w.host, [Scope.CREDITS_WRITE])
    before = w.entry_count()

    def drop_issuer_url(root: etree._Element) -> None:
        url = root.find("e:report/e:issuer/e:url", ELMO)
        url.getparent().remove(url)

    response = post(client, edited(document, drop_issuer_url), host, learner_id=learner_id)

    assert_refused(response, 422, "elmo_invalid", w, before)
    detail = response.json()["detail"]
    assert detail.startswith("line ")
    assert "url" in detail


XXE = b"""<?xml version="1.0"?>
<!DOCTYPE elmo [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<elmo xmlns="https://github.com/emrex-eu/elmo-schemas/tree/v1">
<generatedDate>2026-12-01T10:00:00Z</generatedDate>
<learner><givenNames>&secret;</givenNames><familyName>X</familyName></learner>
</elmo>"""

LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
<!ENTITY lol "lol">
<!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
<!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
<!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
<!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
<!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
<!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<elmo xmlns="https://github.com/emrex-eu/elmo-schemas/tree/v1">
<generatedDate>2026-12-01T10:00:00Z</generatedDate>
<learner><givenNames>&lol9;</givenNames><familyName>X</familyName></learner>
</elmo>"""


@pytest.mark.parametrize("attack", [XXE, LAUGHS], ids=["xxe", "billion-laughs"])
def test_entities_are_never_expanded(client, w, attack):
    learner_id = known_to_host(w)
    host = w.partner(w.host, [Scope.CREDITS_WRITE])
    before = w.entry_count()

    response = post(client, attack, host, learner_id=learner_id)

    assert_refused(response, 422, "elmo_invalid", w, before)
    assert "root:" not in response.text
    assert "lollol" not in response.text


def test_one_bad_item_refuses_the_whole_document(client, w):
    document = host_document(client, w)
    learner_id = known_to_host(w)
    host = w.partner(w.host, [Scope.CREDITS_WRITE])
    before = w.entry_count()

    def second_without_ects(root: etree._Element) -> None:
        credits = root.findall(".//e:credit/e:scheme", ELMO)
        credits[1].text = "local-hours"

    response = post(client, edited(document, second_without_ects), host, learner_id=learner_id)

    assert_refused(response, 422, "elmo_item_refused", w, before)
    assert "no ECTS credit" in response.json()["detail"]


def test_a_report_from_an_unknown_issuer_is_refused(client, w):
    document = host_document(client, w)
    learner_id = known_to_host(w)
    host = w.partner(w.host, [Scope.CREDITS_WRITE])

    def unknown_issuer(root: etree._Element) -> None:
        root.find("e:report/e:issuer/e:identifier", ELMO).text = "NOWHERE-1"

    response = post(client, edited(document, unknown_issuer), host, learner_id=learner_id)

    assert_refused(response, 422, "elmo_item_refused", w, w.entry_count())
    assert "NOWHERE-1" in response.json()["detail"]


def test_a_document_without_a_passed_result_is_refused(client, w):
    document = host_document(client, w)
    learner_id = known_to_host(w)
    host = w.partner(w.host, [Scope.CREDITS_WRITE])

    def all_in_progress(root: etree._Element) -> None:
        for status in root.iterfind(".//" + q("status")):
            status.text = "in-progress"

    response = post(client, edited(document, all_in_progress), host, learner_id=learner_id)

    assert_refused(response, 422, "elmo_nothing_to_import", w, w.entry_count())


def test_the_learner_must_be_named_and_the_file_small(client, w):
    document = host_document(client, w)
    host = w.partner(w.host, [Scope.CREDITS_WRITE])

    unnamed = post(client, document, host)
    unknown = post(client, document, host, external_id="NOBODY")
    huge = post(client, b"<elmo>" + b" " * 600_000 + b"</elmo>", host, learner_id=1)

    assert unnamed.status_code == 422
    assert unknown.status_code == 404
    assert huge.status_code == 422
    assert huge.json()["code"] == "elmo_too_large"
    assert w.transfer_results() == []


@pytest.mark.parametrize("value", ["0", "7.55", "1000", "-3"])
def test_credits_out_of_bounds_are_refused(client, w, value):
    document = host_document(client, w)
    learner_id = known_to_host(w)
    host = w.partner(w.host, [Scope.CREDITS_WRITE])

    def credits(root: etree._Element) -> None:
        root.find(".//e:credit/e:value", ELMO).text = value

    response = post(client, edited(document, credits), host, learner_id=learner_id)

    assert_refused(response, 422, "elmo_item_refused", w, w.entry_count())


def test_a_document_with_too_many_results_is_refused(client, w):
    document = host_document(client, w)
    learner_id = known_to_host(w)
    host = w.partner(w.host, [Scope.CREDITS_WRITE])

    def many(root: etree._Element) -> None:
        report = root.find("e:report", ELMO)
        first = report.find("e:learningOpportunitySpecification", ELMO)
        for n in range(200):
            extra = copy.deepcopy(first)
            extra.find("e:identifier", ELMO).text = f"KZ-X-{n}"
            first.addnext(extra)

    response = post(client, edited(document, many), host, learner_id=learner_id)

    assert_refused(response, 422, "elmo_item_refused", w, w.entry_count())
    assert "at most" in response.json()["detail"]
