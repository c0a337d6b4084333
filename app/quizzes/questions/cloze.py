"""Cloze (embedded answers): a text with gaps written in Moodle's syntax, each gap graded.

A gap is `{weight:TYPE:answers}`: the weight (empty: 1) counts the gap's share of the mark;
TYPE is `SHORTANSWER`/`SA`/`MW` (case ignored; `_C`, `SAC`, `MWC`: case sensitive),
`NUMERICAL`/`NM`, `MULTICHOICE`/`MC` (a drop-down list), `MULTICHOICE_V`/`MCV` (radio buttons
in a column), `MULTICHOICE_H`/`MCH` (in a row), each with `_S`/`S` to shuffle the choices.
Answers are separated by `~`; `=` marks the right one, `%50%` a partly right one; `#` starts
an answer's feedback; a numerical answer is `value:tolerance`; `\\` escapes `} ~ # : / "`.
Braces that open no such gap are text. Definition: `{"text": "<the source>"}`, validated into
its segments (Markdown rendered to HTML, the gaps cut out) and gaps. Response: `{"gaps":
{"1": "…"}}` from the fields `{prefix}gap-1`, … (a choice's id for choices)."""

import re
from collections.abc import Mapping
from decimal import Decimal
from random import Random
from typing import Any

from app.core.errors import Invalid
from app.core.i18n import N_
from app.core.markdown import render_markdown
from app.quizzes.models import QuestionType, QuestionVersion
from app.quizzes.questions import _common
from app.quizzes.questions.numerical import read_number, within
from app.quizzes.questions.shortanswer import first_match, plain_answer
from app.quizzes.questions.types import FormValues, Graded, Response, register

KINDS: dict[str, tuple[str, dict[str, Any]]] = {}
for names, kind, options in (
    (("SHORTANSWER", "SA", "MW"), "shortanswer", {"case_sensitive": False}),
    (("SHORTANSWER_C", "SAC", "MWC"), "shortanswer", {"case_sensitive": True}),
    (("NUMERICAL", "NM"), "numerical", {}),
    (("MULTICHOICE", "MC"), "multichoice", {"display": "select", "shuffle": False}),
    (("MULTICHOICE_V", "MCV"), "multichoice", {"display": "vertical", "shuffle": False}),
    (("MULTICHOICE_H", "MCH"), "multichoice", {"display": "horizontal", "shuffle": False}),
    (("MULTICHOICE_S", "MCS"), "multichoice", {"display": "select", "shuffle": True}),
    (("MULTICHOICE_VS", "MCVS"), "multichoice", {"display": "vertical", "shuffle": True}),
    (("MULTICHOICE_HS", "MCHS"), "multichoice", {"display": "horizontal", "shuffle": True}),
):
    for name in names:
        KINDS[name] = (kind, options)

_OPENING = re.compile(r"\{(\d{0,4}):([A-Z_]+):")
_PERCENT = re.compile(r"^%(\d+(?:\.\d+)?)%")
_MARK_OPEN, _MARK_CLOSE = "\ue000", "\ue001"
_MARK = re.compile(f"{_MARK_OPEN}(\\d+){_MARK_CLOSE}")
MAX_GAPS = 50


class ClozeSyntaxError(Invalid):
    code = "cloze_syntax"


def split_unescaped(text: str, separator: str) -> list[str]:
    """`text` cut at each `separator` not escaped by a backslash; escapes kept."""
    pieces, current, escaped = [], [], False
    for char in text:
        if escaped:
            current.append("\\" + char)
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == separator:
            pieces.append("".join(current))
            current = []
        else:
            current.append(char)
    if escaped:
        current.append("\\")
    pieces.append("".join(current))
    return pieces


def unescape(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text).strip()


def _gap_end(source: str, start: int) -> int:
    """The position of the `}` closing the gap whose answers begin at `start`."""
    escaped = False
    for position in range(start, len(source)):
        char = source[position]
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == "}":
            return position
    raise ClozeSyntaxError(N_("A gap is not closed with “}”."), field="text")


def tokenize(source: str) -> tuple[list[str], list[tuple[int, str, str]]]:
    """The text between gaps and each gap as (weight, TYPE, answers source)."""
    texts, gaps, position, start = [], [], 0, 0
    while (found := _OPENING.search(source, position)) is not None:
        if found.group(2) not in KINDS:
            position = found.start() + 1
            continue
        end = _gap_end(source, found.end())
        texts.append(source[start : found.start()])
        gaps.append((int(found.group(1) or 1), found.group(2), source[found.end() : end]))
        position = start = end + 1
    texts.append(source[start:])
    return texts, gaps


def _answer(raw: str, kind: str, where: str) -> dict[str, Any]:
    fraction, rest = Decimal(0), raw.strip()
    if rest.startswith("="):
        fraction, rest = Decimal(1), rest[1:]
    elif (percent := _PERCENT.match(rest)) is not None:
        fraction = _common.fraction(Decimal(percent.group(1)) / 100, where, low=Decimal(0))
        rest = rest[percent.end() :]
    text, *feedback = split_unescaped(rest, "#")
    answer: dict[str, Any] = {"fraction": str(fraction), "feedback": unescape("#".join(feedback))}
    if kind == "numerical":
        value, *tolerance = split_unescaped(text, ":")
        answer["value"] = str(_common.number(unescape(value), where))
        answer["tolerance"] = str(
            abs(_common.number(unescape(tolerance[0]) if tolerance else 0, where))
        )
    else:
        answer["text"] = _common.text(unescape(text), where, limit=500)
    return answer


def _gap(n: int, weight: int, name: str, body: str) -> dict[str, Any]:
    kind, options = KINDS[name]
    where = f"text.gap{n}"
    if weight > 100:
        raise ClozeSyntaxError(N_("A gap's weight is at most 100."), field=where)
    answers = [_answer(raw, kind, where) for raw in split_unescaped(body, "~")]
    if not any(Decimal(a["fraction"]) == 1 for a in answers):
        raise ClozeSyntaxError(N_("Each gap needs a right answer (written with “=”)."), field=where)
    if kind == "multichoice":
        for number, answer in enumerate(answers, start=1):
            answer["id"] = f"o{number}"
    return {"n": n, "kind": kind, "weight": max(weight, 1), "answers": answers, **options}


def parse(source: str) -> dict[str, Any]:
    """The definition of a cloze source: its segments of HTML and its gaps."""
    source = source.replace(_MARK_OPEN, "").replace(_MARK_CLOSE, "")
    texts, raw_gaps = tokenize(source)
    if not raw_gaps:
        raise ClozeSyntaxError(N_("Write at least one gap, such as {1:SA:=answer}."), field="text")
    if len(raw_gaps) > MAX_GAPS:
        raise ClozeSyntaxError(N_("Too many gaps."), field="text")
    gaps = [_gap(n, *raw) for n, raw in enumerate(raw_gaps, start=1)]
    marked = "".join(
        text + (f"{_MARK_OPEN}{n}{_MARK_CLOSE}" if n <= len(gaps) else "")
        for n, text in enumerate(texts, start=1)
    )
    segments = _MARK.split(render_markdown(marked))[::2]
    if len(segments) != len(gaps) + 1:  # a gap inside a code span or a link stays literal
        raise ClozeSyntaxError(N_("A gap cannot sit inside code or a link."), field="text")
    return {"text": source, "segments": segments, "gaps": gaps}


def blanked_html(definition: Mapping[str, Any]) -> str:
    """The text with every gap shown as a blank, for lists and previews without answers."""
    segments = definition.get("segments") or []
    return " [_____] ".join(str(s) for s in segments)


def _gap_prompt(gap: Mapping[str, Any], rng: Random | None) -> dict[str, Any]:
    shown: dict[str, Any] = {"n": gap["n"], "kind": gap["kind"]}
    if gap["kind"] == "multichoice":
        options = [{"id": a["id"], "text": a["text"]} for a in gap["answers"]]
        if rng is not None and gap.get("shuffle"):
            rng.shuffle(options)
        shown.update(display=gap.get("display", "select"), options=options)
    else:
        longest = max(len(str(a.get("text", a.get("value", "")))) for a in gap["answers"])
        shown["size"] = min(max(longest + 2, 8), 40)
    return shown


def grade_gap(gap: Mapping[str, Any], given: object) -> Mapping[str, Any] | None:
    """The answer a gap's response earns, None when it earns nothing."""
    if not isinstance(given, str) or not given.strip():
        return None
    if gap["kind"] == "multichoice":
        return next((a for a in gap["answers"] if a["id"] == given), None)
    if gap["kind"] == "numerical":
        read = read_number(given)
        if read is None or read[1]:
            return None
        return next((a for a in gap["answers"] if within(read[0], a)), None)
    return first_match(gap["answers"], given, case_sensitive=bool(gap.get("case_sensitive")))


def gap_right_answer(gap: Mapping[str, Any]) -> str:
    best = next(a for a in gap["answers"] if Decimal(a["fraction"]) == 1)
    if gap["kind"] == "numerical":
        return str(best["value"])
    return plain_answer(str(best["text"])) if gap["kind"] == "shortanswer" else str(best["text"])


class Cloze:
    qtype = QuestionType.CLOZE

    def validate(self, definition: Mapping[str, Any]) -> dict[str, Any]:
        definition = _common.require_mapping(definition)
        return parse(_common.text(definition.get("text"), "text", limit=20_000))

    def prompt(self, version: QuestionVersion, rng: Random | None) -> dict[str, Any]:
        return {
            "qtype": self.qtype.value,
            "segments": _segments(version),
            "gaps": [_gap_prompt(gap, rng) for gap in _gaps(version)],
        }

    def read_response(self, prefix: str, form: FormValues) -> Response:
        gaps = {}
        for n in range(1, MAX_GAPS + 1):
            given = (_common.first(form, f"{prefix}gap-{n}") or "").strip()[:500]
            if given:
                gaps[str(n)] = given
        return {"gaps": gaps} if gaps else {}

    def grade(self, version: QuestionVersion, response: Response) -> Graded:
        given = response.get("gaps")
        answers = given if isinstance(given, dict) else {}
        gaps = _gaps(version)
        earned, total, parts, feedback = Decimal(0), Decimal(0), [], []
        for gap in gaps:
            found = grade_gap(gap, answers.get(str(gap["n"])))
            fraction = Decimal(found["fraction"]) if found else Decimal(0)
            earned += fraction * gap["weight"]
            total += gap["weight"]
            parts.append(fraction == 1)
            if found and found["feedback"]:
                feedback.append(_common.feedback_html(str(found["feedback"])))
        overall = (earned / total).quantize(_common.PLACES).normalize() if total else Decimal(0)
        return Graded(fraction=overall, feedback_html="".join(feedback), parts=tuple(parts))

    def right_answer(self, version: QuestionVersion) -> str:
        return "; ".join(f"{gap['n']}: {gap_right_answer(gap)}" for gap in _gaps(version))


def _segments(version: QuestionVersion) -> list[str]:
    found = version.definition.get("segments")
    return [str(s) for s in found] if isinstance(found, list) else []


def _gaps(version: QuestionVersion) -> list[dict[str, Any]]:
    found = version.definition.get("gaps")
    return [g for g in found if isinstance(g, dict)] if isinstance(found, list) else []


register(Cloze())
