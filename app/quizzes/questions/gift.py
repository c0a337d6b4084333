"""GIFT, Moodle's text format for questions, read and written by a parser of our own.

Why not `pygiftparser` (PyPI): its one release (1.1) dates from 2017, it reports no line
numbers, builds HTML with `yattag` rather than giving the parts, and reads answers with
regular expressions that do not follow GIFT's escapes everywhere. GIFT is small enough to
read with care here, following Moodle's documentation and its `qformat_gift`:

- questions are separated by blank lines; `//` starts a comment line (`// [tag:x]` tags the
  next question, as Moodle 4 writes); `$CATEGORY: Week 1/Part A` sets the category;
- `::name::` then the text (`[markdown]`, `[html]`, `[plain]`, `[moodle]` give its format), the
  answers in `{…}`, optionally more text after them (the blank is shown as `_____`);
- `{T}` / `{FALSE#wrong feedback#right feedback}`; `{=right#fb ~wrong#fb ~%50%half}` multiple
  choice (several answers when no `=`); `{=a =%50%b}` short answer; `{=France -> Paris =…}`
  matching; `{#3.14:0.01}`, `{#3.1..3.2}`, `{#=3.14:0.01 =%50%3:1}` numerical; `{}` essay;
  `####text` at the end of the answers is the general feedback;
- `\\~ \\= \\# \\{ \\} \\:` escape those characters and `\\n` is a new line.

Cloze questions and numerical units have no GIFT form: the export leaves cloze questions out
(named in a comment) and writes numerical answers without units."""

import itertools
import re
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

from app.quizzes.models import QuestionType
from app.quizzes.questions.drafts import (
    Draft,
    FileRefused,
    from_percent,
    join_path,
    percent,
    split_path,
)

SPECIAL = "~=#{}:"
_WEIGHT = re.compile(r"^%(-?\d+(?:\.\d+)?)%")
_TAG_COMMENT = re.compile(r"\[tag:([^\]]+)\]")
_FORMAT = re.compile(r"^\[(markdown|html|plain|moodle)\]")


def escape(text: str) -> str:
    text = text.replace("\\", "\\\\")
    for char in SPECIAL:
        text = text.replace(char, "\\" + char)
    return text.replace("\n", "\\n")


def unescape(text: str) -> str:
    out, chars = [], iter(text)
    for char in chars:
        if char == "\\":
            following = next(chars, "")
            out.append("\n" if following == "n" else following)
        else:
            out.append(char)
    return "".join(out).strip()


def _find(text: str, targets: str, start: int = 0) -> int:
    """The position of the first of `targets` not escaped, from `start`; -1 when none."""
    position = start
    while position < len(text):
        char = text[position]
        if char == "\\":
            position += 2
            continue
        if char in targets:
            return position
        position += 1
    return -1


def _split(text: str, separators: str) -> list[str]:
    """Cut before each unescaped separator, each piece keeping its separator first."""
    cuts, position = [], _find(text, separators)
    while position != -1:
        cuts.append(position)
        position = _find(text, separators, position + 1)
    bounds = [0, *cuts, len(text)]
    return [text[a:b] for a, b in itertools.pairwise(bounds) if text[a:b].strip()]


def _general_feedback(block: str) -> tuple[str, str]:
    position = _find(block, "#")
    while position != -1:
        if block.startswith("####", position):
            return block[:position], unescape(block[position + 4 :])
        position = _find(block, "#", position + 1)
    return block, ""


def _feedback(piece: str) -> tuple[str, str]:
    cut = _find(piece, "#")
    return (piece, "") if cut == -1 else (piece[:cut], unescape(piece[cut + 1 :]))


def _weighted(piece: str, default: str, line: int) -> tuple[str, str]:
    """A piece's fraction (`%50%`) and the rest; `default` when none is written."""
    found = _WEIGHT.match(piece.strip())
    if found is None:
        return default, piece.strip()
    return from_percent(found.group(1), line), piece.strip()[found.end() :]


def _choices(block: str, line: int) -> dict[str, Any]:
    pieces = _split(block, "=~")
    if not all(p[0] in "=~" for p in pieces):
        raise FileRefused("Each choice starts with “=” (right) or “~” (wrong).", line)
    choices = []
    for piece in pieces:
        body, feedback = _feedback(piece[1:])
        fraction, text = _weighted(body, "1" if piece[0] == "=" else "0", line)
        choices.append({"text": unescape(text), "fraction": fraction, "feedback": feedback})
    return {"single": any(p[0] == "=" for p in pieces), "choices": choices}


def _short(block: str, line: int) -> dict[str, Any]:
    answers = []
    for piece in _split(block, "="):
        if piece[0] != "=":
            raise FileRefused("Each answer starts with “=”.", line)
        body, feedback = _feedback(piece[1:])
        fraction, text = _weighted(body, "1", line)
        answers.append({"text": unescape(text), "fraction": fraction, "feedback": feedback})
    return {"case_sensitive": False, "answers": answers}


def _pairs(block: str, line: int) -> dict[str, Any]:
    pairs = []
    for piece in _split(block, "="):
        body, _ = _feedback(piece[1:])
        if piece[0] != "=" or "->" not in body:
            raise FileRefused("Each pair is written “=question -> answer”.", line)
        question, answer = body.split("->", 1)
        pairs.append({"question": unescape(question), "answer": unescape(answer)})
    return {"shuffle": True, "pairs": pairs}


def _number(text: str, line: int) -> Decimal:
    try:
        value = Decimal(unescape(text))
    except InvalidOperation:
        raise FileRefused("Not a number: %(value)s", line, values={"value": text.strip()}) from None
    if not value.is_finite() or abs(value) > Decimal("1e15"):
        raise FileRefused("Not a number: %(value)s", line, values={"value": text.strip()[:40]})
    return value


def _numeric_answer(text: str, line: int) -> tuple[Decimal, Decimal]:
    """`3.14:0.01` (value and tolerance), `3.1..3.2` (a range) or `3.14`."""
    plain = text.replace("\\:", ":").strip()
    if ".." in plain:
        low, high = (_number(part, line) for part in plain.split("..", 1))
        return (low + high) / 2, abs(high - low) / 2
    value, _, tolerance = plain.partition(":")
    return _number(value, line), _number(tolerance, line) if tolerance.strip() else Decimal(0)


def _numerical(block: str, line: int) -> dict[str, Any]:
    body = block.strip()[1:]
    pieces = _split(body, "=~") if _find(body, "=~") != -1 else ["=" + body]
    answers = []
    for piece in pieces:
        text, feedback = _feedback(piece[1:] if piece[0] in "=~" else piece)
        if piece[0] == "~":  # "any other answer" feedback: nothing to grade
            continue
        fraction, text = _weighted(text, "1", line)
        value, tolerance = _numeric_answer(text, line)
        answers.append({"value": str(value), "tolerance": str(tolerance), "fraction": fraction,
                        "feedback": feedback})  # fmt: skip
    return {"answers": answers, "units": [], "unit_handling": "none", "unit_penalty": "0"}


_TRUE_FALSE = re.compile(r"^(T|TRUE|F|FALSE)\s*(#.*)?$", re.DOTALL)


def _answers(block: str, line: int) -> tuple[QuestionType, dict[str, Any]]:
    stripped = block.strip()
    if not stripped:
        return QuestionType.ESSAY, {}
    if stripped.startswith("#"):
        return QuestionType.NUMERICAL, _numerical(stripped, line)
    if (found := _TRUE_FALSE.match(stripped)) is not None:
        right = found.group(1).startswith("T")
        feedback = [unescape(f) for f in _split(found.group(2) or "", "#")]
        wrong_fb, right_fb = [f.lstrip("#") for f in feedback[:2]] + [""] * (2 - len(feedback[:2]))
        return QuestionType.TRUEFALSE, {
            "answer": right,
            "feedback_true": right_fb if right else wrong_fb,
            "feedback_false": wrong_fb if right else right_fb,
        }
    if "->" in stripped:
        return QuestionType.MATCHING, _pairs(stripped, line)
    if _find(stripped, "~") != -1:
        return QuestionType.MULTICHOICE, _choices(stripped, line)
    if stripped.startswith("="):
        return QuestionType.SHORTANSWER, _short(stripped, line)
    raise FileRefused("The answers between { and } are not in a GIFT form.", line)


def _question(block: str, line: int, category: str, tags: list[str]) -> Draft:
    text = block.strip()
    name = ""
    if text.startswith("::"):
        end = text.find("::", 2)
        if end == -1:
            raise FileRefused("The name is not closed with “::”.", line)
        name, text = unescape(text[2:end]), text[end + 2 :].strip()
    text = _FORMAT.sub("", text).strip()
    opening = _find(text, "{")
    if opening == -1:
        raise FileRefused("No answers: write them between { and }.", line)
    closing = _find(text, "}", opening + 1)
    if closing == -1:
        answer_line = line + text[:opening].count("\n")
        raise FileRefused("The answers opened with { are not closed with }.", answer_line)
    before, after = unescape(text[:opening]), unescape(text[closing + 1 :])
    body, general = _general_feedback(text[opening + 1 : closing])
    qtype, definition = _answers(body, line + text[:opening].count("\n"))
    written = f"{before} _____ {after}" if after else before
    return Draft(
        qtype=qtype, name=name or written[:60] or f"#{line}", text=written, definition=definition,
        category=category, general_feedback=general, tags=tags, line=line,
    )  # fmt: skip


def parse(data: bytes) -> tuple[list[Draft], list[str]]:
    """The questions of a GIFT file (UTF-8); nothing is skipped."""
    try:
        source = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FileRefused("A GIFT file must be UTF-8 text.") from None
    drafts: list[Draft] = []
    category, start = "", 0
    tags: list[str] = []
    block: list[str] = []
    lines = source.splitlines()
    for number, raw in enumerate([*lines, ""], start=1):
        stripped = raw.strip()
        if stripped.startswith("//"):
            tags += [t.strip() for t in _TAG_COMMENT.findall(stripped) if t.strip()]
            continue
        if stripped.startswith("$CATEGORY:") and not block:
            names = split_path(stripped[len("$CATEGORY:") :])
            category = join_path([n for n in names if n not in ("$course$", "top")])
            continue
        if stripped:
            start = start or number
            block.append(raw)
            continue
        if block:
            drafts.append(_question("\n".join(block), start, category, tags))
        block, tags, start = [], [], 0
    return drafts, []


# --- writing ---------------------------------------------------------------------------------


def _fb(text: str) -> str:
    return f"#{escape(text)}" if text else ""


def _weight(fraction: object, right_sign: str = "=") -> str:
    value = Decimal(str(fraction))
    return right_sign if value == 1 else f"~%{percent(value)}%" if value else "~"


def _body(draft: Draft) -> str | None:
    d = draft.definition
    if draft.qtype is QuestionType.TRUEFALSE:
        right = bool(d.get("answer"))
        wrong_fb = d.get("feedback_false" if right else "feedback_true", "")
        right_fb = d.get("feedback_true" if right else "feedback_false", "")
        return ("TRUE" if right else "FALSE") + (
            f"#{escape(wrong_fb)}#{escape(right_fb)}" if wrong_fb or right_fb else ""
        )
    if draft.qtype is QuestionType.MULTICHOICE:
        single = d.get("single", True)
        parts = []
        for c in d.get("choices", []):
            sign = (
                _weight(c["fraction"])
                if single
                else (f"~%{percent(c['fraction'])}%" if Decimal(str(c["fraction"])) else "~")
            )
            parts.append(f"{sign}{escape(c['text'])}{_fb(c.get('feedback', ''))}")
        return "\n".join(parts)
    if draft.qtype is QuestionType.SHORTANSWER:
        return "\n".join(
            ("=" if Decimal(str(a["fraction"])) == 1 else f"=%{percent(a['fraction'])}%")
            + escape(a["text"])
            + _fb(a.get("feedback", ""))
            for a in d.get("answers", [])
        )
    if draft.qtype is QuestionType.NUMERICAL:
        return "#" + "\n".join(
            ("=" if Decimal(str(a["fraction"])) == 1 else f"=%{percent(a['fraction'])}%")
            + f"{a['value']}:{a['tolerance']}"
            + _fb(a.get("feedback", ""))
            for a in d.get("answers", [])
        )
    if draft.qtype is QuestionType.MATCHING:
        return "\n".join(
            f"={escape(p['question'])} -> {escape(p['answer'])}" for p in d.get("pairs", [])
        )
    if draft.qtype is QuestionType.ESSAY:
        return ""
    return None


def write(drafts: Iterable[Draft]) -> str:
    """A GIFT file; cloze questions, which GIFT cannot hold, are named in a comment."""
    out: list[str] = []
    current: str | None = None
    for draft in drafts:
        body = _body(draft)
        if body is None:
            out.append(f"// {draft.name}: embedded answers (cloze) have no GIFT form.\n")
            continue
        if draft.category != current:
            current = draft.category
            out.append(f"$CATEGORY: $course$/top/{draft.category}\n")
        tags = "".join(f"// [tag:{tag}]\n" for tag in draft.tags)
        general = f"####{escape(draft.general_feedback)}" if draft.general_feedback else ""
        answers = "\n".join(part for part in (body, general) if part)
        block = f"{{\n{answers}\n}}" if answers else "{}"
        out.append(f"{tags}::{escape(draft.name)}::[markdown]{escape(draft.text)}{block}\n")
    return "\n".join(out)
