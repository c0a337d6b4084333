"""Matching: each sub-question is paired with its answer from one list of answers.

Definition: `{"shuffle": true, "pairs": [{"id": "p1", "question": "France", "answer":
"Paris"}, …]}`; a pair with no question adds a wrong answer to the list (a distractor). The
prompt lists the sub-questions and the answers, shuffled (sorted when no shuffling is asked,
so their order never tells the pairs); an answer's id is drawn from its text, never from its
pair. Each pair right earns its share of the mark. Response: `{"matches": {"p1": "<answer
id>"}}` from the fields `{prefix}match-<pair id>`."""

import hashlib
import re
from collections.abc import Mapping
from decimal import Decimal
from random import Random
from typing import Any

from app.core.errors import Invalid
from app.core.i18n import N_
from app.quizzes.models import QuestionType, QuestionVersion
from app.quizzes.questions import _common
from app.quizzes.questions.types import FormValues, Graded, Response, register

_ID = re.compile(r"^[A-Za-z0-9_-]{1,16}$")


def answer_id(answer: str) -> str:
    return "a" + hashlib.sha256(answer.encode()).hexdigest()[:10]


def _pair(raw: Mapping[str, Any], n: int, seen: set[str]) -> dict[str, str]:
    given = raw.get("id")
    pair_id = given if isinstance(given, str) and given else f"p{n + 1}"
    if not _ID.match(pair_id) or pair_id in seen:
        raise Invalid(N_("Each pair needs its own short id."), field=f"pairs.{n}.id")
    seen.add(pair_id)
    return {
        "id": pair_id,
        "question": _common.text(
            raw.get("question"), f"pairs.{n}.question", required=False, limit=1000
        ),
        "answer": _common.text(raw.get("answer"), f"pairs.{n}.answer", limit=500),
    }


class Matching:
    qtype = QuestionType.MATCHING

    def validate(self, definition: Mapping[str, Any]) -> dict[str, Any]:
        definition = _common.require_mapping(definition)
        seen: set[str] = set()
        pairs = [_pair(raw, n, seen) for n, raw in enumerate(_common.items(definition, "pairs"))]
        if sum(1 for p in pairs if p["question"]) < 2:
            raise Invalid(N_("Give at least two sub-questions with their answers."), field="pairs")
        return {"shuffle": _common.flag(definition, "shuffle", True), "pairs": pairs}

    def prompt(self, version: QuestionVersion, rng: Random | None) -> dict[str, Any]:
        pairs = _pairs(version)
        texts = sorted({p["answer"] for p in pairs})
        if rng is not None and version.definition.get("shuffle", True):
            rng.shuffle(texts)
        return {
            "qtype": self.qtype.value,
            "text_html": version.text_html,
            "stems": [{"id": p["id"], "text": p["question"]} for p in pairs if p["question"]],
            "answers": [{"id": answer_id(text), "text": text} for text in texts],
        }

    def read_response(self, prefix: str, form: FormValues) -> Response:
        start = f"{prefix}match-"
        matches = {
            name[len(start) :]: values[0]
            for name, values in form.items()
            if name.startswith(start) and values and values[0] and _ID.match(name[len(start) :])
        }
        return {"matches": dict(list(matches.items())[:50])} if matches else {}

    def grade(self, version: QuestionVersion, response: Response) -> Graded:
        given = response.get("matches")
        matches = given if isinstance(given, dict) else {}
        stems = [p for p in _pairs(version) if p["question"]]
        parts = tuple(matches.get(p["id"]) == answer_id(p["answer"]) for p in stems)
        if not stems:
            return Graded(fraction=Decimal(0))
        fraction = (Decimal(sum(parts)) / len(stems)).quantize(_common.PLACES).normalize()
        return Graded(fraction=fraction, parts=parts)

    def right_answer(self, version: QuestionVersion) -> str:
        return "; ".join(
            f"{p['question']} → {p['answer']}" for p in _pairs(version) if p["question"]
        )


def _pairs(version: QuestionVersion) -> list[dict[str, Any]]:
    found = version.definition.get("pairs")
    return [p for p in found if isinstance(p, dict)] if isinstance(found, list) else []


register(Matching())
