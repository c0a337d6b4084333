"""A signed document as a PDF (fpdf2, pure Python), rendered from its signed payload only, so
the PDF says exactly what the JSON says. Labels come in the language asked for; the learner's
records stay as they were written. DejaVu Sans (vendored, app/static/fonts) covers Latin,
Cyrillic and Arabic; Arabic is shaped by HarfBuzz and set right to left."""

from pathlib import Path
from typing import Any

from app.core.i18n import N_, is_rtl, translations_for

FONTS = Path(__file__).resolve().parents[2] / "static" / "fonts"
FONT = "DejaVu"
TITLES = {
    "transcript": N_("Transcript of Records"),
    "diploma_supplement": N_("Diploma Supplement"),
    "certificate": N_("Certificate of completion"),
}
SOURCES = {
    "course_result": N_("course result"),
    "recognition": N_("recognition of prior learning"),
    "transfer": N_("credit transfer"),
}
Json = dict[str, Any]


class _Document:
    """One PDF being written, in one language."""

    def __init__(self, language: str) -> None:
        # fpdf2 with its font tools takes half a second to import: paid by the first PDF, not
        # by every worker at start-up.
        from fpdf import FPDF

        self.gettext = translations_for(language).gettext
        self.rtl = is_rtl(language)
        self.pdf = FPDF(format="A4")
        self.pdf.set_margins(15, 15, 15)
        self.pdf.set_auto_page_break(auto=True, margin=15)
        self.pdf.add_font(FONT, "", str(FONTS / "DejaVuSans.ttf"))
        self.pdf.add_font(FONT, "B", str(FONTS / "DejaVuSans-Bold.ttf"))
        self.pdf.set_text_shaping(use_shaping_engine=True, direction="rtl" if self.rtl else "ltr")
        self.pdf.set_lang(language)
        self.pdf.add_page()

    def line(self, text: str, *, size: int = 10, bold: bool = False) -> None:
        from fpdf.enums import XPos, YPos  # imported with FPDF (see __init__)

        self.pdf.set_font(FONT, "B" if bold else "", size)
        self.pdf.multi_cell(
            0, size * 0.55, text, align="R" if self.rtl else "L",
            new_x=XPos.LMARGIN, new_y=YPos.NEXT,
        )  # fmt: skip

    def field(self, label: str, value: object) -> None:
        self.line(f"{self.gettext(label)}: {'' if value is None else value}")

    def heading(self, label: str) -> None:
        self.pdf.ln(3)
        self.line(self.gettext(label), size=12, bold=True)

    def table(self, header: list[str], rows: list[list[str]], widths: list[int]) -> None:
        self.pdf.set_font(FONT, "", 8)
        with self.pdf.table(
            col_widths=widths, text_align="RIGHT" if self.rtl else "LEFT", line_height=4.5
        ) as table:
            heading = table.row()
            for label in header:
                heading.cell(self.gettext(label))
            for values in rows:
                row = table.row()
                for value in values:
                    row.cell(value)


def _entries(doc: _Document, content: Json) -> None:
    for group in content.get("institutions", []):
        institution = group["institution"] or {"name": "Agora"}
        doc.heading(N_("Awarded by"))
        doc.line(f"{institution['name']} — {group['credits']} ECTS")
        doc.table(
            [N_("Code"), N_("Unit"), N_("ECTS"), N_("Grade"), N_("Scale"), N_("Term"),
             N_("Source"), N_("Grade-table band")],
            [
                [e["unit_code"], e["unit_title"], e["credits"], e["grade"] or "–",
                 e["scale"] or "–", e["term"], doc.gettext(SOURCES.get(e["source"], e["source"])),
                 f"{e['band']['from']}–{e['band']['to']} %" if e["band"] else "–"]
                for e in group["entries"]
            ],
            [14, 44, 10, 14, 16, 14, 26, 22],
        )  # fmt: skip
    doc.pdf.ln(2)
    doc.field(N_("Total ECTS credits"), content.get("total_credits"))
    for table in content.get("grading_tables", []):
        doc.heading(N_("ECTS grading table"))
        doc.line(
            f"{table['isced_code']} · EQF {table['eqf_level']} · {table['scale']} · "
            f"{table['period_from']} – {table['period_to']} · n = {table['total']}"
        )
        doc.table(
            [N_("Grade"), N_("Number"), N_("Percentage"), N_("Cumulative percentage")],
            [[r["grade"], str(r["count"]), r["percent"], r["cumulative"]] for r in table["rows"]],
            [40, 30, 40, 50],
        )


def _certificate(doc: _Document, content: Json) -> None:
    course = content["course"]
    doc.heading(N_("Course"))
    doc.line(f"{course['code']} — {course['title']}")
    doc.field(N_("Workload (hours)"), course["workload_hours"])
    doc.field(N_("Hours attended in webinars and seminars"), content["attended_hours"])
    doc.field(N_("Course dates"), f"{course['starts_on'] or '–'} – {course['ends_on'] or '–'}")
    doc.field(N_("Completed on"), content["completed_on"])
    if content["outcomes"]:
        doc.heading(N_("Learning outcomes"))
        for outcome in content["outcomes"]:
            doc.line(f"• {outcome}")


def render(payload: Json, language: str) -> bytes:
    """The PDF of a signed payload, with its labels in `language`."""
    doc = _Document(language)
    kind: str = payload["kind"]
    doc.line(doc.gettext(TITLES.get(kind, kind)), size=16, bold=True)
    doc.pdf.ln(2)
    doc.field(N_("Issued by"), payload["issuer"]["name"])
    doc.field(N_("Learner"), f"{payload['learner']['name']} (#{payload['learner']['id']})")
    doc.field(N_("Issued on"), payload["issued_at"][:10])
    doc.field(N_("Document id"), payload["id"])
    content = payload["content"]
    if "programme" in content:
        programme = content["programme"]
        doc.heading(N_("Programme"))
        doc.line(f"{programme['code']} — {programme['title']}")
        doc.field(N_("EQF level"), programme["eqf_level"])
        doc.field(N_("Credits required"), programme["credits"])
        standing = content.get("standing")
        if standing:
            doc.field(N_("Credits earned"), standing["earned"])
            eligible = N_("yes") if standing["eligible"] else N_("not yet")
            doc.field(N_("Eligible for the award"), doc.gettext(eligible))
    if payload["kind"] == "certificate":
        _certificate(doc, content)
    else:
        _entries(doc, content)
    doc.heading(N_("Verification"))
    doc.line(doc.gettext(N_("Check this document at:")))
    doc.line(payload["verify_url"])
    return bytes(doc.pdf.output())
