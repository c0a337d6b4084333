"""Results from a host institution as an ELMO document, received as transfer results. The
document must be valid against the XSD; each report's issuer must be one of our institutions
(by its code among the issuer's identifiers); each passed learning opportunity becomes one
`HostResult` for the transfer service. The learner is the one the request names — the
document's learner block is informational. All or nothing: one refused item refuses the whole
document and nothing is written."""

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from lxml import etree
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import Institution, User
from app.core.actors import Actor, require
from app.core.errors import Invalid, NotFound
from app.core.i18n import N_
from app.credits import policy
from app.credits.service import transfer
from app.credits.service.elmo_xml import XML_LANG, parse_untrusted, q
from app.credits.transfer_models import TransferResult

MAX_CREDITS = Decimal("999.9")
ONE_DECIMAL = Decimal("0.1")
ISCED = re.compile(r"^\d{2,4}$")
DEGREE_PROGRAMME = "Degree Programme"
# A mobility's results are a few dozen; a cap keeps one request's work bounded.
MAX_REPORTS = 20
MAX_RESULTS = 200


class ElmoItemRefused(Invalid):
    """A learning opportunity (or its report) cannot become a transfer result."""

    code = "elmo_item_refused"
    title = N_("An item of the ELMO file cannot be received.")


class ElmoNothingToImport(Invalid):
    code = "elmo_nothing_to_import"
    title = N_("The ELMO file holds no passed result.")


@dataclass(frozen=True)
class Received:
    """One stored transfer result, and whether this import stored it (False: it was already
    there — the import is idempotent)."""

    result: TransferResult
    created: bool


def import_results(
    session: Session,
    actor: Actor,
    document: bytes,
    *,
    learner_id: int | None,
    external_id: str | None,
) -> list[Received]:
    """Receive every passed result of the document for the named learner, or none."""
    require(policy.imports_elmo(actor))
    root = parse_untrusted(document)
    if learner_id is None and external_id is None:
        raise Invalid(N_("Name the learner: learner_id or external_id."), field="learner_id")
    results = host_results(session, actor, root, learner_id=learner_id, external_id=external_id)
    if not results:
        raise ElmoNothingToImport()
    received: list[Received] = []
    with session.begin_nested():  # a refusal of any item takes back the ones before it
        for result in results:
            row, created = transfer.receive(session, actor, result)
            received.append(Received(row, created))
    return received


def host_results(
    session: Session,
    actor: Actor,
    root: etree._Element,
    *,
    learner_id: int | None,
    external_id: str | None,
) -> list[transfer.HostResult]:
    """The passed results of a valid document, as host results for the learner the request
    names (our id, or the issuer's own identifier for them)."""
    reports = root.findall(q("report"))
    if len(reports) > MAX_REPORTS or len(root.findall(".//" + q("specifies"))) > MAX_RESULTS:
        raise ElmoItemRefused(
            f"an ELMO file may hold at most {MAX_REPORTS} reports and {MAX_RESULTS} results"
        )
    results: list[transfer.HostResult] = []
    for number, report in enumerate(reports, start=1):
        institution_id = _issuer(session, report, number)
        learner, _host = transfer.identify(
            session,
            actor,
            learner_id=learner_id,
            external_id=external_id,
            host_institution_id=institution_id,
        )
        _check_sender(session, actor, learner, institution_id)
        for spec in _specifications(report):
            result = _host_result(spec, learner, institution_id)
            if result is not None:
                results.append(result)
    return results


def _check_sender(session: Session, actor: Actor, learner_id: int, issuer_id: int) -> None:
    """404 for a learner the caller may not know of; 403 for a report it may not send."""
    learner = session.get(User, learner_id)
    if learner is None or not transfer.knows_result_learner(session, actor, learner, issuer_id):
        raise NotFound()
    require(policy.sends_elmo_report(actor, issuer_id))


def _issuer(session: Session, report: etree._Element, number: int) -> int:
    codes = [_token(e.text) for e in report.iterfind(f"{q('issuer')}/{q('identifier')}")]
    found = session.scalar(select(Institution.id).where(Institution.code.in_(codes)))
    if found is None:
        named = ", ".join(code[:64] for code in codes[:5])
        raise ElmoItemRefused(
            f"report {number} (line {report.sourceline}): no institution has any of the "
            f"issuer's identifiers ({named})"
        )
    return found


def _specifications(report: etree._Element) -> list[etree._Element]:
    """The report's learning opportunities; a degree programme stands for its parts."""
    found: list[etree._Element] = []
    pending = list(report.iterfind(q("learningOpportunitySpecification")))
    while pending:
        spec = pending.pop(0)
        if _token(spec.findtext(q("type"))) == DEGREE_PROGRAMME:
            pending.extend(spec.iterfind(f"{q('hasPart')}/{q('learningOpportunitySpecification')}"))
        else:
            found.append(spec)
    return found


def _host_result(
    spec: etree._Element, learner_id: int, institution_id: int
) -> transfer.HostResult | None:
    instance = spec.find(f"{q('specifies')}/{q('learningOpportunityInstance')}")
    if instance is None or _token(instance.findtext(q("status"))) != "passed":
        return None
    where = f"line {spec.sourceline}"
    return transfer.HostResult(
        learner_id=learner_id,
        host_institution_id=institution_id,
        host_course_code=_bounded(_code(spec), 64, "identifier", where),
        title=_bounded(_title(spec), 300, "title", where),
        credits=_credits(instance, where),
        grade=_bounded(
            _required(instance.findtext(q("resultLabel")), "resultLabel", where),
            64,
            "resultLabel",
            where,
        ),
        scale_code=_optional(
            instance.findtext(q("gradingSchemeLocalId")), 32, "gradingSchemeLocalId", where
        ),
        isced_code=_isced(spec.findtext(q("iscedCode")), where),
        eqf_level=_eqf(instance, where),
        completed_on=_completed_on(instance, where),
        via="elmo",
    )


def _token(value: str | None) -> str:
    """An `xs:token` as the schema reads it: whitespace collapsed, none at the ends."""
    return " ".join((value or "").split())


def _required(value: str | None, name: str, where: str) -> str:
    if not _token(value):
        raise ElmoItemRefused(f"{where}: {name} is missing")
    return _token(value)


def _bounded(value: str, limit: int, name: str, where: str) -> str:
    if len(value) > limit:
        raise ElmoItemRefused(f"{where}: {name} is longer than {limit} characters")
    return value


def _optional(value: str | None, limit: int, name: str, where: str) -> str | None:
    if not _token(value):
        return None
    return _bounded(_token(value), limit, name, where)


def _code(spec: etree._Element) -> str:
    identifiers = spec.findall(q("identifier"))
    local = [e for e in identifiers if e.get("type") == "local"]
    chosen = (local or identifiers)[:1]
    return _required(chosen[0].text if chosen else None, "identifier", f"line {spec.sourceline}")


def _title(spec: etree._Element) -> str:
    titles = spec.findall(q("title"))
    english = [t for t in titles if t.get(XML_LANG) == "en"]
    return _required((english or titles)[0].text, "title", f"line {spec.sourceline}")


def _credits(instance: etree._Element, where: str) -> Decimal:
    for credit in instance.iterfind(q("credit")):
        if _token(credit.findtext(q("scheme"))).lower() == "ects":
            text = _required(credit.findtext(q("value")), "ECTS credit value", where)
            try:
                value = Decimal(text)
            except InvalidOperation as exc:
                raise ElmoItemRefused(f"{where}: the ECTS credit value is not a number") from exc
            if not (0 < value <= MAX_CREDITS) or value != value.quantize(ONE_DECIMAL):
                raise ElmoItemRefused(
                    f"{where}: ECTS credits must be above 0 and at most {MAX_CREDITS}, "
                    "with at most one decimal"
                )
            return value.quantize(ONE_DECIMAL)
    raise ElmoItemRefused(f"{where}: no ECTS credit")


def _isced(value: str | None, where: str) -> str | None:
    if not _token(value):
        return None
    if not ISCED.match(_token(value)):
        raise ElmoItemRefused(f"{where}: iscedCode must be an ISCED-F code of 2 to 4 digits")
    return _token(value)


def _eqf(instance: etree._Element, where: str) -> int | None:
    for level in instance.iterfind(q("level")):
        if _token(level.findtext(q("type"))).upper() == "EQF":
            value = _token(level.findtext(q("value")))
            if value not in {str(n) for n in range(1, 9)}:
                raise ElmoItemRefused(f"{where}: the EQF level must be 1 to 8")
            return int(value)
    return None


def _completed_on(instance: etree._Element, where: str) -> date:
    """The instance's date, else the end of its academic term (time zones dropped)."""
    text = instance.findtext(q("date")) or instance.findtext(f"{q('academicTerm')}/{q('end')}")
    text = _required(text, "date", where)
    try:
        return date.fromisoformat(text[:10])
    except ValueError as exc:
        raise ElmoItemRefused(f"{where}: the date is not a calendar date") from exc
