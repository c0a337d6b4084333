"""A question as files carry it (Moodle XML, GIFT): what the bank would save, before any
check, with the category path it belongs to and where it starts in the file."""

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from app.quizzes.models import QuestionType

_SEPARATOR = re.compile(r"(?<!/)/(?!/)")


@dataclass
class Draft:
    qtype: QuestionType
    name: str
    text: str
    definition: dict[str, Any]
    category: str = ""  # "Week 1/Part A"; "" for the bank's default category
    default_mark: Decimal = Decimal(1)
    general_feedback: str = ""
    tags: list[str] = field(default_factory=list)
    line: int | None = None  # GIFT: the line it starts on
    position: int | None = None  # Moodle XML: its place among the file's questions


class FileRefused(ValueError):
    """A file the bank cannot read; `line` says where, when known."""

    def __init__(
        self,
        message: str,
        line: int | None = None,
        position: int | None = None,
        values: dict[str, object] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.position = position
        self.values = values or {}


def split_path(path: str) -> list[str]:
    """`A/B//C` → `["A", "B/C"]`: a doubled slash is a slash inside a name, as in Moodle."""
    return [part.replace("//", "/").strip() for part in _SEPARATOR.split(path) if part.strip()]


def join_path(names: list[str]) -> str:
    return "/".join(name.replace("/", "//") for name in names)


def percent(fraction: object) -> str:
    """A fraction as Moodle writes it, in percent: 0.3333333 → 33.33333."""
    value = (Decimal(str(fraction)) * 100).normalize()
    return format(value, "f")


def from_percent(text: str, line: int | None = None) -> str:
    try:
        value = Decimal(text.strip()) / 100
    except InvalidOperation:
        raise FileRefused(
            "A grade is not a number: %(grade)s", line, values={"grade": text}
        ) from None
    if not value.is_finite() or abs(value) > 1:
        raise FileRefused("A grade is not a number: %(grade)s", line, values={"grade": text[:40]})
    return str(value.normalize())
