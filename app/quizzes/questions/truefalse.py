"""True or false: one statement, the right answer and the feedback for each reply.

Definition: `{"answer": true, "feedback_true": "…", "feedback_false": "…"}` (feedback in
Markdown, shown for the reply given). Response: `{"answer": true | false}`; the form sends
`{prefix}answer` = `true` or `false`."""

from collections.abc import Mapping
from decimal import Decimal
from random import Random
from typing import Any

from app.core.errors import Invalid
from app.core.i18n import N_
from app.quizzes.models import QuestionType, QuestionVersion
from app.quizzes.questions import _common
from app.quizzes.questions.types import FormValues, Graded, Response, register


class TrueFalse:
    qtype = QuestionType.TRUEFALSE

    def validate(self, definition: Mapping[str, Any]) -> dict[str, Any]:
        definition = _common.require_mapping(definition)
        answer = definition.get("answer")
        if not isinstance(answer, bool):
            raise Invalid(N_("Say whether the statement is true or false."), field="answer")
        return {
            "answer": answer,
            "feedback_true": _common.text(
                definition.get("feedback_true"), "feedback_true", required=False
            ),
            "feedback_false": _common.text(
                definition.get("feedback_false"), "feedback_false", required=False
            ),
        }

    def prompt(self, version: QuestionVersion, rng: Random | None) -> dict[str, Any]:
        return {"qtype": self.qtype.value, "text_html": version.text_html}

    def read_response(self, prefix: str, form: FormValues) -> Response:
        given = _common.first(form, f"{prefix}answer")
        if given not in ("true", "false"):
            return {}
        return {"answer": given == "true"}

    def grade(self, version: QuestionVersion, response: Response) -> Graded:
        given = response.get("answer")
        if not isinstance(given, bool):
            return Graded(fraction=Decimal(0))
        right = given is version.definition.get("answer")
        feedback = version.definition.get("feedback_true" if given else "feedback_false")
        return Graded(
            fraction=Decimal(1) if right else Decimal(0),
            feedback_html=_common.feedback_html(str(feedback or "")),
            parts=(right,),
        )

    def right_answer(self, version: QuestionVersion) -> str:
        """`True` or `False`, a msgid the template translates."""
        return N_("True") if version.definition.get("answer") is True else N_("False")


register(TrueFalse())
