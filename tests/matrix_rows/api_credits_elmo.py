"""ELMO over the API. The victim's export (of P77, the clients' institution): the registrars
and the partner system of P77 with `credits:read` read it, one without the scope is refused
(403), everybody else is told the learner does not exist (404). An ELMO import of results
issued by P77 for the victim: the P77 partner system (`credits:write`) and the registrars
(coordinators) receive it; people without the role and a system without the scope are refused
(403); P88 is told the learner does not exist (404). Each caller sends a result of its own, so
none is an idempotent replay of another's."""

import itertools

from tests.test_permission_matrix import World, register

_unique = itertools.count(1)


def _document(w: World) -> dict[str, object]:
    code = f"ELMO-MX-{next(_unique)}"
    document = f"""<?xml version="1.0" encoding="UTF-8"?>
<elmo xmlns="https://github.com/emrex-eu/elmo-schemas/tree/v1">
  <generatedDate>2026-12-01T10:00:00Z</generatedDate>
  <learner><givenNames>Victim</givenNames><familyName>Matrix</familyName></learner>
  <report>
    <issuer><identifier type="local">P77</identifier><title>P77</title><url>https://p77.example.org</url></issuer>
    <learningOpportunitySpecification>
      <identifier type="local">{code}</identifier>
      <title>Patient safety</title>
      <type>Course</type>
      <specifies><learningOpportunityInstance>
        <date>2026-06-30</date><status>passed</status><resultLabel>4</resultLabel>
        <credit><scheme>ects</scheme><value>5</value></credit>
      </learningOpportunityInstance></specifies>
    </learningOpportunitySpecification>
    <issueDate>2026-12-01T10:00:00Z</issueDate>
  </report>
</elmo>"""
    return {"params": {"learner_id": w.victim_id}, "data": document.encode()}


register(
    "get", "/api/v1/users/{user_id}/elmo",
    "401 | 404 404 404 404 | 200 200 | 200 403 | 404 404",
    lambda w: {"user_id": w.victim_id},
)  # fmt: skip
register(
    "post", "/api/v1/transfer-results/elmo",
    "401 | 403 403 403 403 | 201 201 | 201 403 | 404 404",
    _document,
)  # fmt: skip
