"""Essay: a text the learner writes in Markdown, graded by hand (no automatic fraction).

Definition: `{"response_template": "…", "min_words": 0, "max_words": 0, "grader_info":
"…"}` (0: no limit; the grader information, Markdown, is for the teacher only, beside the
response when marking). Response: `{"text": "…"}` from `{prefix}text`; it is shown rendered
and sanitised, never as raw HTML."""

from collections.abc import Mapping
from random import Random
from typing import Any

from app.core.errors import Invalid
from app.core.i18n import N_
from app.quizzes.models import QuestionType, QuestionVersion
from app.quizzes.questions import _common
from app.quizzes.questions.types import FormValues, Graded, Response, register

MAX_ESSAY = 50_000
MAX_WORDS = 20_000


def _count(definition: Mapping[str, Any], key: str) -> int:
    value = definition.get(key, 0)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_WORDS:
        raise Invalid(N_("A number of words between 0 and 20000."), field=key)
    return value


class Essay:
    qtype = QuestionType.ESSAY

    def validate(self, definition: Mapping[str, Any]) -> dict[str, Any]:
        definition = _common.require_mapping(definition)
        low, high = _count(definition, "min_words"), _count(definition, "max_words")
        if high and low > high:
            raise Invalid(N_("The least number of words is above the most."), field="min_words")
        return {
            "response_template": _common.text(
                definition.get("response_template"), "response_template", required=False, limit=5000
            ),
            "min_words": low,
            "max_words": high,
            "grader_info": _common.text(
                definition.get("grader_info"), "grader_info", required=False, limit=5000
            ),
        }

    def prompt(self, version: QuestionVersion, rng: Random | None) -> dict[str, Any]:
        definition = version.definition
        return {
            "qtype": self.qtype.value,
            "text_html": version.text_html,
            "response_template": str(definition.get("response_template") or ""),
            "min_words": definition.get("min_words") or 0,
            "max_words": definition.get("max_words") or 0,
        }

    def read_response(self, prefix: str, form: FormValues) -> Response:
        given = (_common.first(form, f"{prefix}text") or "").strip()[:MAX_ESSAY]
        return {"text": given} if given else {}

    def grade(self, version: QuestionVersion, response: Response) -> Graded:
        return Graded(fraction=None)

    def right_answer(self, version: QuestionVersion) -> str:
        return ""


def grader_info_html(version: QuestionVersion) -> str:
    """What the teacher wrote for those who mark the essays, rendered and sanitised."""
    return _common.feedback_html(str(version.definition.get("grader_info") or ""))


def word_count(response: Response) -> int:
    text = response.get("text")
    return len(text.split()) if isinstance(text, str) else 0


register(Essay())
