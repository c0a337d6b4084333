"""ELMO export: every document is valid against the official EMREX XSD v1.7.0, with one report
per awarding institution, the credits in force, the national grade with its grading scheme,
the EQF level, the position in the grading table and its distribution; who may read it."""

from datetime import UTC, datetime

import pytest
import time_machine
from fastapi.testclient import TestClient
from lxml import etree

from app.core.actors import PlatformRole, Scope
from app.credits.service.elmo_export import split_name
from app.credits.service.elmo_xml import validation_errors
from app.enrolment.models import LearnerProfile
from tests.credits.elmo_world import ELMO, ElmoWorld, elmo_world

NOW = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)


@pytest.fixture
def w(db, settings) -> ElmoWorld:
    return elmo_world(db, settings)


def exported(client: TestClient, w: ElmoWorld, user_id: int, headers: dict[str, str]) -> bytes:
    with time_machine.travel(NOW, tick=False):
        response = client.get(f"/api/v1/users/{user_id}/elmo", headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/xml")
    assert validation_errors(response.content) == []
    return response.content


def texts(root: etree._Element, path: str) -> list[str]:
    return [e.text or "" for e in root.iterfind(path, ELMO)]


def test_one_institution_with_cyrillic_names_is_valid_and_complete(client, w):
    learner = w.learner("Иван Петрович Сидоров")
    w.award(learner, "MED-101", credits="6", grade="14.5")
    w.award(learner, "MED-102", credits="7.5", grade="12", scale="fr-20")

    root = etree.fromstring(exported(client, w, learner.id, w.headers(learner)))

    assert texts(root, "e:generatedDate") == ["2026-12-01T09:30:00+00:00"]
    assert texts(root, "e:learner/e:givenNames") == ["Иван Петрович"]
    assert texts(root, "e:learner/e:familyName") == ["Сидоров"]
    assert len(root.findall("e:report", ELMO)) == 1
    assert texts(root, "e:report/e:issuer/e:title") == ["Université de Lorraine"]
    assert texts(root, "e:report/e:issuer/e:country") == ["FR"]
    assert texts(root, "e:report/e:issuer/e:identifier") == ["ELMO-HOME"]
    assert texts(root, "e:report/e:issuer/e:url") == ["http://testserver"]
    assert texts(root, "e:learner/e:identifier") == [str(learner.id)]
    los = "e:report/e:learningOpportunitySpecification"
    assert texts(root, f"{los}/e:identifier") == ["MED-101", "MED-102"]
    assert texts(root, f"{los}/e:type") == ["Module", "Module"]
    loi = f"{los}/e:specifies/e:learningOpportunityInstance"
    assert texts(root, f"{loi}/e:status") == ["passed", "passed"]
    assert texts(root, f"{loi}/e:resultLabel") == ["14.5", "12"]
    assert texts(root, f"{loi}/e:credit/e:value") == ["6", "7.5"]
    assert texts(root, f"{loi}/e:credit/e:scheme") == ["ects", "ects"]
    assert texts(root, f"{loi}/e:level/e:value") == ["6", "6"]
    assert texts(root, f"{loi}/e:academicTerm/e:start") == ["2025-09-01", "2025-09-01"]
    assert texts(root, f"{loi}/e:gradingSchemeLocalId") == ["fr-20", "fr-20"]
    assert root.find(f"{loi}/e:resultDistribution", ELMO) is None
    schemes = root.findall("e:report/e:gradingScheme", ELMO)
    assert [s.get("localId") for s in schemes] == ["fr-20"]
    assert "20" in texts(root, "e:report/e:gradingScheme/e:description")[0]


def test_several_institutions_give_one_report_each_with_their_tables(client, w):
    learner = w.learner("Aigerim Nurlanovna Bekova")
    course = w.course("ELMO-C1")
    home_table = w.table(w.home, [("16", 10), ("14", 30), ("12", 60)])
    w.award(learner, "ELMO-C1", course=course, grade="14", table=home_table, band=("10", "40"))
    w.award(learner, "KZ-77", at=w.host, grade="хорошо", scale="ru-5", credits="5")

    root = etree.fromstring(exported(client, w, learner.id, w.headers(learner)))

    reports = root.findall("e:report", ELMO)
    assert [texts(r, "e:issuer/e:identifier") for r in reports] == [["ELMO-HOME"], ["ELMO-HOST"]]
    home, host = reports
    assert texts(host, "e:issuer/e:country") == ["KZ"]
    loi = "e:learningOpportunitySpecification/e:specifies/e:learningOpportunityInstance"
    assert texts(home, "e:learningOpportunitySpecification/e:type") == ["Course"]
    categories = home.findall(f"{loi}/e:resultDistribution/e:category", ELMO)
    assert [(c.get("label"), c.get("count")) for c in categories] == [
        ("16", "10"),
        ("14", "30"),
        ("12", "60"),
    ]
    assert (
        "14: 30 % (cumulative 40 %)" in texts(home, f"{loi}/e:resultDistribution/e:description")[0]
    )
    shortened = f"{loi}/e:shortenedGrading"
    assert texts(home, f"{shortened}/e:percentageHigher") == ["10"]
    assert texts(home, f"{shortened}/e:percentageEqual") == ["30"]
    assert texts(home, f"{shortened}/e:percentageLower") == ["60"]
    assert texts(host, f"{loi}/e:resultLabel") == ["хорошо"]
    assert host.find(f"{loi}/e:resultDistribution", ELMO) is None
    assert [s.get("localId") for s in host.findall("e:gradingScheme", ELMO)] == ["ru-5"]


def test_only_entries_in_force_are_exported_and_an_empty_ledger_is_still_valid(client, w):
    learner = w.learner()
    w.revoke(w.award(learner, "MED-101"))

    root = etree.fromstring(exported(client, w, learner.id, w.headers(learner)))

    assert root.findall("e:report/e:learningOpportunitySpecification", ELMO) == []
    assert texts(root, "e:report/e:issuer/e:title") == ["Agora"]


def test_citizenship_only_in_the_learners_own_export(client, w):
    learner = w.learner()
    w.db.add(LearnerProfile(user_id=learner.id, nationality="KZ"))
    w.award(learner, "MED-101")
    registrar = w.person(PlatformRole.MANAGER)

    own = etree.fromstring(exported(client, w, learner.id, w.headers(learner)))
    theirs = etree.fromstring(exported(client, w, learner.id, w.headers(registrar)))

    assert texts(own, "e:learner/e:citizenship") == ["KZ"]
    assert texts(theirs, "e:learner/e:citizenship") == []


def test_registrars_and_partners_of_the_learner_read_it_others_are_told_nothing(client, w):
    learner = w.learner()
    w.award(learner, "MED-101")
    url = f"/api/v1/users/{learner.id}/elmo"
    own_partner = w.partner(w.home, [Scope.CREDITS_READ])
    unscoped_partner = w.partner(w.home, [Scope.GRADES_READ])
    other_partner = w.partner(w.host, list(Scope))
    other_manager = w.person(PlatformRole.INSTITUTION_MANAGER, at=w.host)
    home_manager = w.person(PlatformRole.INSTITUTION_MANAGER, at=w.home)
    stranger = w.learner("Someone Else")

    assert client.get(url, headers=own_partner).status_code == 200
    assert client.get(url, headers=w.headers(home_manager)).status_code == 200
    assert client.get(url, headers=unscoped_partner).status_code == 403
    for outsider in (other_partner, w.headers(other_manager), w.headers(stranger)):
        response = client.get(url, headers=outsider)
        assert response.status_code == 404
        assert "MED-101" not in response.text
    assert client.get(url).status_code == 401
    assert client.get("/api/v1/users/999999/elmo", headers=own_partner).status_code == 404


def test_the_learner_downloads_their_own_file(client, w):
    learner = w.learner()
    w.award(learner, "MED-101")
    browser = w.browser(client, learner)

    response = browser.get("/me/credits/elmo.xml")

    assert response.status_code == 200
    assert "attachment" in response.headers["content-disposition"]
    assert "elmo.xml" in response.headers["content-disposition"]
    assert validation_errors(response.content) == []
    assert b"MED-101" in response.content


def test_the_download_asks_a_visitor_to_sign_in(client):
    response = client.get("/me/credits/elmo.xml", follow_redirects=False)

    assert response.status_code == 303
    assert response.headers["location"].startswith("/login")


def test_the_export_reads_a_constant_number_of_queries(client, w, queries):
    counts = []
    for size in (2, 6):
        learner = w.learner()
        table = w.table(w.home, [("16", 1), ("12", 3)])
        for n in range(size):
            at = w.home if n % 2 else w.host
            w.award(learner, f"U-{size}-{n}", at=at, table=table, band=("0", "25"))
        headers = w.headers(learner)
        with queries:
            assert (
                client.get(f"/api/v1/users/{learner.id}/elmo", headers=headers).status_code == 200
            )
        counts.append(queries.count)

    assert counts[0] == counts[1]


@pytest.mark.parametrize(
    ("display_name", "expected"),
    [
        ("Иван Петрович Сидоров", ("Иван Петрович", "Сидоров")),
        ("Madonna", ("", "Madonna")),
        ("  ", ("", "")),
    ],
)
def test_names_split_into_given_names_and_family_name(display_name, expected):
    assert split_name(display_name) == expected


def test_characters_xml_cannot_carry_are_left_out(client, w):
    learner = w.learner("Ana\x07 Lopez")
    entry = w.award(learner, "MED-\x01101", grade="14\x1f")
    assert entry.unit_code == "MED-\x01101"

    root = etree.fromstring(exported(client, w, learner.id, w.headers(learner)))

    los = "e:report/e:learningOpportunitySpecification"
    assert texts(root, f"{los}/e:identifier") == ["MED-101"]
    assert texts(root, f"{los}/e:specifies/e:learningOpportunityInstance/e:resultLabel") == ["14"]
    assert texts(root, "e:learner/e:givenNames") == ["Ana"]
