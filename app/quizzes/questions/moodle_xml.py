"""Moodle XML (`<quiz><question type="…">`), read with defusedxml so no entity, DTD or
external reference is ever expanded (a "billion laughs" file is refused, not evaluated), and
written for Moodle to import. Categories are `<question type="category">` entries
(`$course$/top/Week 1/Part A`); texts are written in Markdown, read from HTML as text. Types
other than the bank's seven (description, calculated…) are skipped and reported."""

import html
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError, fromstring

from app.quizzes.models import QuestionType
from app.quizzes.questions.drafts import Draft, FileRefused, from_percent, percent, split_path

_TAG = re.compile(r"<[^>]+>")
_BLOCK_END = re.compile(r"</(p|div|li|h\d)>|<br\s*/?>", re.IGNORECASE)
COURSE_PREFIXES = ("$course$", "$module$", "$system$", "$cat1$", "top")


def _text(element: ET.Element | None, path: str = "text") -> str:
    if element is None:
        return ""
    found = element.find(path) if path else element
    raw = (found.text or "") if found is not None else ""
    if element.get("format", "html") == "html" and path:
        raw = html.unescape(_TAG.sub("", _BLOCK_END.sub("\n\n", raw)))
        raw = re.sub(r"\n{3,}", "\n\n", raw)
    return raw.strip()


def _flag(element: ET.Element, name: str, default: bool) -> bool:
    found = element.findtext(name)
    if found is None:
        return default
    return found.strip().lower() in ("1", "true", "yes")


def _number(text: str | None, default: str = "0") -> str:
    value = (text or default).strip()
    try:
        parsed = Decimal(value)
    except InvalidOperation:
        parsed = Decimal("NaN")
    if not parsed.is_finite() or abs(parsed) > Decimal("1e15"):
        raise FileRefused("A number is not readable: %(value)s", values={"value": value[:40]})
    return value


def _whole(text: str | None) -> int:
    value = Decimal(_number(text))
    return int(value) if value == value.to_integral_value() and 0 <= value < 10**6 else 0


def _answers(question: ET.Element) -> list[dict[str, Any]]:
    return [
        {
            "text": _text(answer),
            "fraction": from_percent(answer.get("fraction", "0")),
            "feedback": _text(answer.find("feedback")),
            "tolerance": answer.findtext("tolerance"),
        }
        for answer in question.findall("answer")
    ]


def _definition(qtype: QuestionType, q: ET.Element) -> dict[str, Any]:
    answers = _answers(q)
    if qtype is QuestionType.MULTICHOICE:
        return {
            "single": _flag(q, "single", True), "shuffle": _flag(q, "shuffleanswers", True),
            "choices": [{k: a[k] for k in ("text", "fraction", "feedback")} for a in answers],
        }  # fmt: skip
    if qtype is QuestionType.TRUEFALSE:
        by_text = {a["text"].lower(): a for a in answers}
        right = by_text.get("true", {}).get("fraction") not in (None, "0")
        return {
            "answer": right,
            "feedback_true": by_text.get("true", {}).get("feedback", ""),
            "feedback_false": by_text.get("false", {}).get("feedback", ""),
        }
    if qtype is QuestionType.SHORTANSWER:
        return {
            "case_sensitive": _flag(q, "usecase", False),
            "answers": [{k: a[k] for k in ("text", "fraction", "feedback")} for a in answers],
        }
    if qtype is QuestionType.NUMERICAL:
        return _numerical(q, answers)
    if qtype is QuestionType.MATCHING:
        pairs = [
            {"question": _text(sub), "answer": _text(sub.find("answer"))}
            for sub in q.findall("subquestion")
        ]
        return {"shuffle": _flag(q, "shuffleanswers", True), "pairs": pairs}
    if qtype is QuestionType.ESSAY:
        return {
            "response_template": _text(q.find("responsetemplate")),
            "grader_info": _text(q.find("graderinfo")),
            "min_words": _whole(q.findtext("minwordlimit")),
            "max_words": _whole(q.findtext("maxwordlimit")),
        }
    return {}


def _numerical(q: ET.Element, answers: list[dict[str, Any]]) -> dict[str, Any]:
    units = [
        {
            "unit": (u.findtext("unit_name") or "").strip(),
            "multiplier": _number(u.findtext("multiplier"), "1"),
        }
        for u in q.findall("units/unit")
    ]
    graded = _number(q.findtext("unitgradingtype")) != "0"
    penalty = _number(q.findtext("unitpenalty"), "0")
    hidden = (q.findtext("showunits") or "").strip() == "3"
    if not units or (hidden and not graded):
        handling = "none"
    elif not graded:
        handling = "optional"
    else:
        handling = "required" if Decimal(penalty) >= 1 else "penalty"
    return {
        "answers": [
            {"value": a["text"], "tolerance": _number(a["tolerance"]), "fraction": a["fraction"],
             "feedback": a["feedback"]}
            for a in answers
        ],
        "units": units if handling != "none" else [],
        "unit_handling": handling,
        "unit_penalty": penalty if handling == "penalty" else "0",
    }  # fmt: skip


TYPES = {
    "multichoice": QuestionType.MULTICHOICE, "truefalse": QuestionType.TRUEFALSE,
    "shortanswer": QuestionType.SHORTANSWER, "numerical": QuestionType.NUMERICAL,
    "matching": QuestionType.MATCHING, "cloze": QuestionType.CLOZE,
    "multianswer": QuestionType.CLOZE, "essay": QuestionType.ESSAY,
}  # fmt: skip


def _category(q: ET.Element) -> str:
    parts = split_path(q.findtext("category/text") or "")
    while parts and parts[0] in COURSE_PREFIXES:
        parts.pop(0)
    return "/".join(p.replace("/", "//") for p in parts)


def parse(data: bytes) -> tuple[list[Draft], list[str]]:
    """The questions of a Moodle XML file and the names of those skipped (other types)."""
    try:
        root = fromstring(data, forbid_dtd=True)
    except DefusedXmlException:
        raise FileRefused("The file declares entities or a DTD, which are refused.") from None
    except (ParseError, ValueError) as broken:
        raise FileRefused(
            "The file is not well-formed XML: %(error)s", values={"error": str(broken)}
        ) from None
    if root.tag != "quiz":
        raise FileRefused("This is not a Moodle XML question file (no <quiz>).")
    drafts, skipped, category = [], [], ""
    for number, q in enumerate(root.findall("question"), start=1):
        kind = q.get("type", "")
        if kind == "category":
            category = _category(q)
            continue
        name = _text(q.find("name")) or f"#{number}"
        if kind not in TYPES:
            skipped.append(f"{name} ({kind})")
            continue
        drafts.append(_draft(q, TYPES[kind], name, category, number))
    return drafts, skipped


def _draft(q: ET.Element, qtype: QuestionType, name: str, category: str, number: int) -> Draft:
    try:
        mark = Decimal(_number(q.findtext("defaultgrade"), "1"))
        return Draft(
            qtype=qtype, name=name, text=_text(q.find("questiontext")),
            definition=_definition(qtype, q), category=category,
            default_mark=mark if mark > 0 else Decimal(1),
            general_feedback=_text(q.find("generalfeedback")),
            tags=[t.strip() for t in (x.text or "" for x in q.findall("tags/tag/text"))
                  if t.strip()],
            position=number,
        )  # fmt: skip
    except FileRefused as refused:
        raise FileRefused(refused.message, position=number, values=refused.values) from None


# --- writing ---------------------------------------------------------------------------------


def _add_text(parent: ET.Element, tag: str, text: str, fmt: str = "markdown") -> ET.Element:
    element = ET.SubElement(parent, tag, {"format": fmt} if fmt else {})
    ET.SubElement(element, "text").text = text
    return element


def _add_answer(
    parent: ET.Element, text: str, fraction: object, feedback: str, fmt: str = "plain_text"
) -> ET.Element:
    answer = ET.SubElement(parent, "answer", {"fraction": percent(fraction), "format": fmt})
    ET.SubElement(answer, "text").text = text
    _add_text(answer, "feedback", feedback)
    return answer


def _write_definition(q: ET.Element, draft: Draft) -> None:
    d = draft.definition
    if draft.qtype is QuestionType.MULTICHOICE:
        ET.SubElement(q, "single").text = "true" if d.get("single", True) else "false"
        ET.SubElement(q, "shuffleanswers").text = "1" if d.get("shuffle", True) else "0"
        ET.SubElement(q, "answernumbering").text = "abc"
        for c in d.get("choices", []):
            _add_answer(q, c["text"], c["fraction"], c.get("feedback", ""))
    elif draft.qtype is QuestionType.TRUEFALSE:
        right = bool(d.get("answer"))
        _add_answer(q, "true", 1 if right else 0, d.get("feedback_true", ""), "moodle_auto_format")
        _add_answer(
            q, "false", 0 if right else 1, d.get("feedback_false", ""), "moodle_auto_format"
        )
    elif draft.qtype is QuestionType.SHORTANSWER:
        ET.SubElement(q, "usecase").text = "1" if d.get("case_sensitive") else "0"
        for a in d.get("answers", []):
            _add_answer(q, a["text"], a["fraction"], a.get("feedback", ""))
    elif draft.qtype is QuestionType.NUMERICAL:
        _write_numerical(q, d)
    elif draft.qtype is QuestionType.MATCHING:
        ET.SubElement(q, "shuffleanswers").text = "true" if d.get("shuffle", True) else "false"
        for pair in d.get("pairs", []):
            sub = _add_text(q, "subquestion", pair["question"], "plain_text")
            ET.SubElement(ET.SubElement(sub, "answer"), "text").text = pair["answer"]
    elif draft.qtype is QuestionType.ESSAY:
        ET.SubElement(q, "responseformat").text = "editor"
        ET.SubElement(q, "minwordlimit").text = str(d.get("min_words") or "")
        ET.SubElement(q, "maxwordlimit").text = str(d.get("max_words") or "")
        _add_text(q, "graderinfo", d.get("grader_info", ""))
        _add_text(q, "responsetemplate", d.get("response_template", ""))


def _write_numerical(q: ET.Element, d: dict[str, Any]) -> None:
    for a in d.get("answers", []):
        answer = _add_answer(q, a["value"], a["fraction"], a.get("feedback", ""))
        ET.SubElement(answer, "tolerance").text = str(a.get("tolerance", "0"))
    handling = d.get("unit_handling", "none")
    units = ET.SubElement(q, "units")
    for u in d.get("units", []) if handling != "none" else []:
        unit = ET.SubElement(units, "unit")
        ET.SubElement(unit, "multiplier").text = str(u["multiplier"])
        ET.SubElement(unit, "unit_name").text = u["unit"]
    graded = handling in ("penalty", "required")
    ET.SubElement(q, "unitgradingtype").text = "1" if graded else "0"
    ET.SubElement(q, "unitpenalty").text = (
        "1" if handling == "required" else str(d.get("unit_penalty", "0"))
    )
    ET.SubElement(q, "showunits").text = "3" if handling == "none" else "0"
    ET.SubElement(q, "unitsleft").text = "0"


def write(drafts: Iterable[Draft]) -> str:
    """A Moodle XML file with a category entry before each change of category."""
    root = ET.Element("quiz")
    current: str | None = None
    for draft in drafts:
        if draft.category != current:
            current = draft.category
            entry = ET.SubElement(root, "question", {"type": "category"})
            _add_text(entry, "category", "$course$/top/" + draft.category, "")
        q = ET.SubElement(root, "question", {"type": draft.qtype.value})
        _add_text(q, "name", draft.name, "")
        _add_text(q, "questiontext", draft.text)
        _add_text(q, "generalfeedback", draft.general_feedback)
        ET.SubElement(q, "defaultgrade").text = format(draft.default_mark.normalize(), "f")
        _write_definition(q, draft)
        if draft.tags:
            tags = ET.SubElement(q, "tags")
            for tag in draft.tags:
                ET.SubElement(ET.SubElement(tags, "tag"), "text").text = tag
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
