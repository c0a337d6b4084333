"""A learner's results as an EMREX ELMO v1.7.0 document: one report per awarding institution,
one learning opportunity per ledger entry in force, with its ECTS credits, EQF level, national
grade and grading scheme, its position in the grading table (`shortenedGrading`) and the
table's distribution (`resultDistribution`). Every document made here is valid against the
bundled XSD; element order follows it exactly."""

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

from lxml import etree
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from app.accounts.models import Institution, User
from app.core.actors import Actor, require
from app.core.errors import NotFound
from app.credits import policy
from app.credits.models import CreditEntry, GradingTable
from app.credits.service import ledger
from app.credits.service.elmo_xml import NS, XML_LANG, country_codes, q
from app.enrolment.models import LearnerProfile
from app.grades.models import Scale

HUNDRED = Decimal(100)
TERM = re.compile(r"^(\d{4})-\d{2}$")
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# Entries with no awarding institution were awarded by the platform itself.
PLATFORM_ISSUER_ID = "agora"
PLATFORM_ISSUER_TITLE = "Agora"


@dataclass(frozen=True)
class Issuer:
    """Who issues a report: an institution of ours (identified by its code), or the
    platform."""

    code: str
    title: str
    country: str | None


@dataclass(frozen=True)
class Sources:
    """What a document is made of, loaded in a fixed number of queries."""

    learner: User
    citizenship: str | None
    entries: Sequence[CreditEntry]
    issuers: dict[int, Issuer]
    tables: dict[int, GradingTable]
    scale_names: dict[str, str]


def readable_learner(session: Session, actor: Actor, user_id: int) -> User:
    """The learner whose credits the actor reads: 404 for one they may not know of, 403 for
    one they know but may not read (a token without `credits:read`)."""
    learner = session.get(User, user_id)
    if learner is None or not policy.knows_learner(actor, user_id, learner.institution_id):
        raise NotFound()
    require(policy.can_read_credits(actor, user_id, learner.institution_id))
    return learner


def export_learner(
    session: Session, actor: Actor, user_id: int, *, base_url: str, now: datetime | None = None
) -> bytes:
    """The learner's entries in force as ELMO XML (UTF-8), generated `now` (UTC)."""
    learner = readable_learner(session, actor, user_id)
    sources = _load(session, actor, learner)
    return build_document(sources, base_url=base_url, now=now or datetime.now(UTC))


def _load(session: Session, actor: Actor, learner: User) -> Sources:
    entries = ledger.in_force(session, [learner.id])[learner.id]
    institution_ids = {e.institution_id for e in entries if e.institution_id is not None}
    table_ids = {e.grading_table_id for e in entries if e.grading_table_id is not None}
    scale_codes = {e.scale_code for e in entries if e.scale_code}
    institutions = session.scalars(
        select(Institution).where(Institution.id.in_(institution_ids))
    ).all()
    tables = session.scalars(
        select(GradingTable)
        .where(GradingTable.id.in_(table_ids))
        .options(selectinload(GradingTable.rows))
    ).all()
    scales = session.execute(select(Scale.code, Scale.name).where(Scale.code.in_(scale_codes)))
    citizenship = None
    if policy.sees_own_citizenship(actor, learner.id):
        citizenship = session.scalar(
            select(LearnerProfile.nationality).where(LearnerProfile.user_id == learner.id)
        )
    return Sources(
        learner=learner,
        citizenship=citizenship,
        entries=entries,
        issuers={i.id: Issuer(i.code, i.name, i.country) for i in institutions},
        tables={t.id: t for t in tables},
        scale_names={row.code: row.name for row in scales},
    )


def split_name(display_name: str) -> tuple[str, str]:
    """Given names and family name from a display name: the last word is the family name."""
    words = display_name.split()
    if not words:
        return "", ""
    return " ".join(words[:-1]), words[-1]


def xml_safe(text: str) -> str:
    """The text without the characters XML 1.0 cannot carry (control characters a title or a
    grade may still hold), which lxml would refuse."""
    return NOT_XML.sub("", text)


def _text(parent: etree._Element, name: str, value: object, **attributes: str) -> None:
    safe = {key: xml_safe(val) for key, val in attributes.items()}
    element = etree.SubElement(parent, q(name), safe)
    element.text = xml_safe(str(value))


def _decimal(value: Decimal) -> str:
    """A decimal as XSD writes it: no exponent, no trailing zeros after the point."""
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def build_document(sources: Sources, *, base_url: str, now: datetime) -> bytes:
    """The ELMO document for these sources."""
    # ELMO's namespace as the default one; lxml-stubs type nsmap keys as str only.
    root = etree.Element(q("elmo"), nsmap={None: NS})  # type: ignore[dict-item]
    _text(root, "generatedDate", now.astimezone(UTC).isoformat(timespec="seconds"))
    _learner(root, sources)
    platform = Issuer(PLATFORM_ISSUER_ID, PLATFORM_ISSUER_TITLE, None)
    by_issuer: dict[Issuer, list[CreditEntry]] = {}
    for entry in sources.entries:
        issuer = sources.issuers.get(entry.institution_id or 0, platform)
        by_issuer.setdefault(issuer, []).append(entry)
    if not by_issuer:
        # The schema needs at least one report: an empty one from the platform.
        by_issuer[platform] = []
    for issuer, entries in sorted(by_issuer.items(), key=lambda item: item[0].code):
        _report(root, issuer, entries, sources, base_url=base_url, now=now)
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))


def _learner(root: etree._Element, sources: Sources) -> None:
    learner = etree.SubElement(root, q("learner"))
    if sources.citizenship and sources.citizenship.upper() in country_codes():
        _text(learner, "citizenship", sources.citizenship.upper())
    _text(learner, "identifier", sources.learner.id, type="agora")
    given, family = split_name(sources.learner.display_name)
    _text(learner, "givenNames", given)
    _text(learner, "familyName", family)


def _report(
    root: etree._Element,
    issuer: Issuer,
    entries: Sequence[CreditEntry],
    sources: Sources,
    *,
    base_url: str,
    now: datetime,
) -> None:
    report = etree.SubElement(root, q("report"))
    head = etree.SubElement(report, q("issuer"))
    if issuer.country and issuer.country.upper() in country_codes():
        _text(head, "country", issuer.country.upper())
    _text(head, "identifier", issuer.code, type="local")
    _text(head, "title", issuer.title)
    _text(head, "url", base_url)
    for entry in entries:
        _opportunity(report, entry, sources.tables.get(entry.grading_table_id or 0))
    _text(report, "issueDate", now.astimezone(UTC).isoformat(timespec="seconds"))
    for code in sorted({e.scale_code for e in entries if e.scale_code}):
        scheme = etree.SubElement(report, q("gradingScheme"), localId=xml_safe(code))
        _text(scheme, "description", sources.scale_names.get(code, code))


def _opportunity(report: etree._Element, entry: CreditEntry, table: GradingTable | None) -> None:
    spec = etree.SubElement(report, q("learningOpportunitySpecification"))
    _text(spec, "identifier", entry.unit_code, type="local")
    _text(spec, "title", entry.unit_title)
    _text(spec, "type", "Course" if entry.course_id is not None else "Module")
    if entry.isced_code:
        _text(spec, "iscedCode", entry.isced_code)
    instance = etree.SubElement(
        etree.SubElement(spec, q("specifies")), q("learningOpportunityInstance")
    )
    _text(instance, "date", entry.awarded_on.isoformat())
    _academic_term(instance, entry.term)
    _text(instance, "status", "passed")
    if entry.scale_code:
        _text(instance, "gradingSchemeLocalId", entry.scale_code)
    if entry.grade:
        _text(instance, "resultLabel", entry.grade)
    if entry.band_from is not None and entry.band_to is not None:
        shortened = etree.SubElement(instance, q("shortenedGrading"))
        _text(shortened, "percentageLower", _decimal(HUNDRED - entry.band_to))
        _text(shortened, "percentageEqual", _decimal(entry.band_to - entry.band_from))
        _text(shortened, "percentageHigher", _decimal(entry.band_from))
    if table is not None and table.rows:
        _distribution(instance, table)
    credit = etree.SubElement(instance, q("credit"))
    _text(credit, "scheme", "ects")
    _text(credit, "value", _decimal(entry.credits))
    if entry.eqf_level is not None:
        level = etree.SubElement(instance, q("level"))
        _text(level, "type", "EQF")
        _text(level, "description", "European Qualifications Framework")
        _text(level, "value", entry.eqf_level)


def _academic_term(instance: etree._Element, term: str) -> None:
    match = TERM.match(term)
    if match is None:
        return
    start = int(match.group(1))
    academic = etree.SubElement(instance, q("academicTerm"))
    _text(academic, "title", term, **{XML_LANG: "en"})
    _text(academic, "start", date(start, 9, 1).isoformat())
    _text(academic, "end", date(start + 1, 8, 31).isoformat())


def _distribution(instance: etree._Element, table: GradingTable) -> None:
    distribution = etree.SubElement(instance, q("resultDistribution"))
    for row in table.rows:
        label = xml_safe(row.grade)
        etree.SubElement(distribution, q("category"), label=label, count=str(row.count))
    _text(distribution, "description", "\n".join(_table_lines(table)), **{XML_LANG: "en"})


def _table_lines(table: GradingTable) -> list[str]:
    """The table as the ECTS Users' Guide prints it: grade, percentage, cumulative."""
    head = (
        f"ECTS grading table, ISCED-F {table.isced_code}, EQF {table.eqf_level}, "
        f"{table.period_from.isoformat()} to {table.period_to.isoformat()}, "
        f"passing grades only ({table.total}):"
    )
    body = [
        f"{row.grade}: {_decimal(row.percent)} % (cumulative {_decimal(row.cumulative)} %)"
        for row in table.rows
    ]
    return [head, *body]
