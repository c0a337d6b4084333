"""ELMO XML on the wire: the namespace, the bundled EMREX XSD v1.7.0, and the one safe way to
read a document someone sent. Untrusted XML is parsed by lxml with entities left unresolved,
no DTD loaded, nothing fetched from the network and no huge trees, so an XXE or a
billion-laughs document is refused without reading a file or exhausting memory."""

from functools import lru_cache
from pathlib import Path
from typing import Any

from lxml import etree

from app.core.errors import Invalid
from app.core.i18n import N_

NS = "https://github.com/emrex-eu/elmo-schemas/tree/v1"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
SCHEMA_PATH = Path(__file__).resolve().parents[1] / "elmo_schemas" / "v1.7.0" / "schema.xsd"
MEDIA_TYPE = "application/xml"
# A transcript of a whole degree is a few hundred kilobytes; anything far beyond is not one.
MAX_ELMO_BYTES = 512 * 1024


class ElmoInvalid(Invalid):
    """The document is not ELMO: not well-formed, not valid against the XSD, or carrying a
    DTD or entities (never expanded)."""

    code = "elmo_invalid"
    title = N_("The document is not a valid ELMO file.")


class ElmoTooLarge(Invalid):
    code = "elmo_too_large"
    title = N_("The ELMO file is too large.")


def q(name: str) -> str:
    """An element's qualified name in the ELMO namespace."""
    return f"{{{NS}}}{name}"


def _safe_parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )


@lru_cache(maxsize=1)
def elmo_schema() -> etree.XMLSchema:
    """The EMREX ELMO v1.7.0 schema with its imports, all read from the bundled copies."""
    return etree.XMLSchema(etree.parse(str(SCHEMA_PATH), _safe_parser()))


def parse_untrusted(data: bytes) -> etree._Element:
    """The document's root, once it is well-formed, free of any DTD and valid against the
    XSD; otherwise `ElmoInvalid` with the parser's or the schema's first message and line."""
    if len(data) > MAX_ELMO_BYTES:
        raise ElmoTooLarge(N_("An ELMO file may hold at most 512 KB."))
    try:
        tree = etree.fromstring(data, _safe_parser()).getroottree()
    except etree.XMLSyntaxError as exc:
        raise ElmoInvalid(f"line {exc.lineno}: {exc.msg}") from exc
    # lxml-stubs leave out `DocInfo.doctype` and the error log's items: read them untyped.
    docinfo: Any = tree.docinfo
    if docinfo.doctype or docinfo.internalDTD is not None:
        # A DTD is where entities (XXE, billion laughs) are declared; ELMO never needs one.
        raise ElmoInvalid(N_("A document type declaration (DTD) is not allowed."))
    schema = elmo_schema()
    if not schema.validate(tree):
        error = _errors(schema)[0]
        raise ElmoInvalid(f"line {error.line}: {error.message}")
    return tree.getroot()


def validation_errors(document: bytes) -> list[str]:
    """Every XSD error of a document we made (for tests and checks), empty when valid."""
    schema = elmo_schema()
    tree = etree.fromstring(document, _safe_parser()).getroottree()
    schema.validate(tree)
    return [f"line {e.line}: {e.message}" for e in _errors(schema)]


def _errors(schema: etree.XMLSchema) -> list[Any]:
    log: Any = schema.error_log
    return list(log)


@lru_cache(maxsize=1)
def country_codes() -> frozenset[str]:
    """The ISO 3166-1 alpha-2 codes the schema's `europass:countryCode` accepts."""
    path = SCHEMA_PATH.parents[1] / "common" / "EUROPASS_ISOCountries_V1.1.xsd"
    tree = etree.parse(str(path), _safe_parser())
    xsd = "{http://www.w3.org/2001/XMLSchema}enumeration"
    return frozenset(str(e.get("value")) for e in tree.iter(xsd))
