"""ELMO import for credit transfer: a host's ELMO document becomes transfer results with the
same credits and grades, a degree programme stands for its parts, results not passed are
skipped; only the host's own partner system or a home registrar may send one, and a refusal of
any result takes back the others."""

import copy
from datetime import date
from decimal import Decimal

import pytest
from lxml import etree

from app.accounts.models import ApiClient
from app.core.actors import Actor, PlatformRole, Scope
from app.core.errors import NotFound
from app.credits.service import elmo_import
from app.credits.service.elmo_xml import q
from tests.accounts.factories import make_api_client, make_institution
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


def test_a_round_trip_gives_the_same_credits_and_grades(client, w):
    document = host_document(client, w)
    learner_id = known_to_host(w)
    host = w.partner(w.host, [Scope.CREDITS_WRITE])

    response = post(client, document, host, external_id="KZ-0042")

    assert response.status_code == 201, response.text
    results = w.transfer_results()
    assert [
        (r.learner_id, r.host_institution_id, r.host_course_code, r.credits, r.grade, r.scale_code)
        for r in results
    ] == [
        (learner_id, w.host.id, "KZ-PS-1", Decimal("5.0"), "хорошо", "ru-5"),
        (learner_id, w.host.id, "KZ-PS-2", Decimal("7.5"), "отлично", "ru-5"),
    ]
    assert [(r.completed_on, r.isced_code, r.eqf_level, r.via) for r in results] == [
        (date(2026, 6, 30), "0913", 6, "elmo"),
        (date(2026, 7, 2), "0913", 6, "elmo"),
    ]
    body = response.json()["results"]
    assert [(r["host_course_code"], r["credits"], r["created"]) for r in body] == [
        ("KZ-PS-1", "5.0", True),
        ("KZ-PS-2", "7.5", True),
    ]
    # No learning agreement: the results wait for a decision, nothing is guessed.
    assert {r["status"] for r in body} == {"pending"}


def test_the_same_document_twice_stores_nothing_new(client, w):
    document = host_document(client, w)
    learner_id = known_to_host(w)
    host = w.partner(w.host, [Scope.CREDITS_WRITE])
    assert post(client, document, host, learner_id=learner_id).status_code == 201

    again = post(client, document, host, learner_id=learner_id)

    assert again.status_code == 200
    assert [r["created"] for r in again.json()["results"]] == [False, False]
    assert len(w.transfer_results()) == 2


def test_a_home_registrar_forwards_a_hosts_document(client, w):
    document = host_document(client, w)
    learner_id = known_to_host(w)
    registrar = w.person(PlatformRole.INSTITUTION_MANAGER, at=w.home)

    response = post(client, document, w.headers(registrar), learner_id=learner_id)

    assert response.status_code == 201, response.text
    assert len(w.transfer_results()) == 2


def test_failed_and_in_progress_results_are_not_received(client, w):
    document = host_document(client, w)
    learner_id = known_to_host(w)
    host = w.partner(w.host, [Scope.CREDITS_WRITE])

    def first_failed(root: etree._Element) -> None:
        root.findall(".//e:status", ELMO)[0].text = "failed"

    response = post(client, edited(document, first_failed), host, learner_id=learner_id)

    assert response.status_code == 201
    assert [r.host_course_code for r in w.transfer_results()] == ["KZ-PS-2"]


def test_a_partner_of_another_institution_is_told_the_learner_does_not_exist(client, w):
    document = host_document(client, w)
    learner_id = known_to_host(w)
    other = make_institution(w.db, "ELMO-ELSE", "AZ")
    outsider = w.partner(other, list(Scope))
    before = w.entry_count()

    def issued_by_other(root: etree._Element) -> None:
        root.find("e:report/e:issuer/e:identifier", ELMO).text = "ELMO-ELSE"

    for body in (document, edited(document, issued_by_other)):
        response = post(client, body, outsider, learner_id=learner_id)
        assert_refused(response, 404, "not_found", w, before)


def test_a_partner_sends_only_reports_its_own_institution_issued(client, w):
    document = host_document(client, w)
    learner = w.learner("Jeanne Martin")  # the home partner system reaches this learner
    home_system = w.partner(w.home, [Scope.CREDITS_WRITE])

    response = post(client, document, home_system, learner_id=learner.id)

    assert_refused(response, 403, "forbidden", w, w.entry_count())


def test_callers_who_never_send_results_are_refused(client, w):
    document = host_document(client, w)
    learner_id = known_to_host(w)
    reader = w.partner(w.host, [Scope.CREDITS_READ])
    student = w.learner("Some Student")

    assert post(client, document, reader, learner_id=learner_id).status_code == 403
    assert post(client, document, w.headers(student), learner_id=learner_id).status_code == 403
    assert post(client, document, {}, learner_id=learner_id).status_code == 401
    assert w.transfer_results() == []


def test_a_refusal_by_the_transfer_service_takes_back_the_results_before_it(client, w):
    document = host_document(client, w)
    learner_id = known_to_host(w)
    host = w.partner(w.host, [Scope.CREDITS_WRITE])
    before = w.entry_count()

    def add_a_report_issued_by_the_home_institution(root: etree._Element) -> None:
        second = copy.deepcopy(root.find("e:report", ELMO))
        second.find("e:issuer/e:identifier", ELMO).text = "ELMO-HOME"
        root.find("e:report", ELMO).addnext(second)

    body = edited(document, add_a_report_issued_by_the_home_institution)
    response = post(client, body, host, learner_id=learner_id)

    assert_refused(response, 404, "not_found", w, before)


def test_a_degree_programme_stands_for_its_passed_parts(client, w):
    document = host_document(client, w)
    learner_id = known_to_host(w)
    host = w.partner(w.host, [Scope.CREDITS_WRITE])

    def wrap_in_a_programme(root: etree._Element) -> None:
        report = root.find("e:report", ELMO)
        first, second = report.findall("e:learningOpportunitySpecification", ELMO)
        second.find(".//e:status", ELMO).getparent().remove(second.find(".//e:status", ELMO))
        programme = copy.deepcopy(first)
        programme.find("e:identifier", ELMO).text = "KZ-BACHELOR"
        programme.find("e:type", ELMO).text = "Degree Programme"
        for spec in (first, second):
            part = etree.SubElement(programme, q("hasPart"))
            part.append(spec)
        report.insert(1, programme)

    response = post(client, edited(document, wrap_in_a_programme), host, learner_id=learner_id)

    assert response.status_code == 201, response.text
    assert [r.host_course_code for r in w.transfer_results()] == ["KZ-PS-1"]


def test_the_service_takes_back_what_it_stored_when_a_later_result_is_refused(client, w):
    """For callers outside a request (the CLI, jobs), the import itself is all or nothing."""
    document = host_document(client, w)
    learner_id = known_to_host(w)
    system = w.db.get_one(ApiClient, make_api_client(w.db, w.host, ["credits:write"]).id)
    actor = Actor(
        api_client_id=system.id,
        institution_id=w.host.id,
        scopes=frozenset({Scope.CREDITS_WRITE}),
    )

    def add_a_report_issued_by_the_home_institution(root: etree._Element) -> None:
        second = copy.deepcopy(root.find("e:report", ELMO))
        second.find("e:issuer/e:identifier", ELMO).text = "ELMO-HOME"
        root.find("e:report", ELMO).addnext(second)

    body = edited(document, add_a_report_issued_by_the_home_institution)
    with pytest.raises(NotFound):
        elmo_import.import_results(w.db, actor, body, learner_id=learner_id, external_id=None)

    assert w.transfer_results() == []


def test_tokens_are_read_as_the_schema_reads_them(client, w):
    document = host_document(client, w)
    learner_id = known_to_host(w)
    host = w.partner(w.host, [Scope.CREDITS_WRITE])

    def spaced(root: etree._Element) -> None:
        for status in root.iterfind(".//" + q("status")):
            status.text = "\n  passed  \n"
        root.find(".//e:learningOpportunitySpecification/e:title", ELMO).text = " Patient\n safety "

    response = post(client, edited(document, spaced), host, learner_id=learner_id)

    assert response.status_code == 201, response.text
    assert [r.title for r in w.transfer_results()] == ["Patient safety", "Unit KZ-PS-2"]
