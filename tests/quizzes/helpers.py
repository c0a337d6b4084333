"""Building question versions without a database and rendering their templates."""

from random import Random
from typing import Any

from app.core.web import templates_for
from app.quizzes.models import QuestionType, QuestionVersion
from app.quizzes.questions.types import Graded, for_type


def version_of(
    qtype: QuestionType, definition: dict[str, Any], text: str = "<p>Q?</p>"
) -> QuestionVersion:
    cleaned = for_type(qtype).validate(definition)
    return QuestionVersion(qtype=qtype, name="q", text_html=text, definition=cleaned, version=1)


def rendered(
    qtype: QuestionType,
    q: dict[str, Any],
    *,
    response: dict[str, Any] | None = None,
    readonly: bool = False,
    review: dict[str, Any] | None = None,
    prefix: str = "s1-",
    locale: str = "en",
) -> str:
    page = templates_for(locale).get_template(f"quizzes/questions/{qtype.value}.html")
    return page.render(
        q=q, prefix=prefix, response=response or {}, readonly=readonly, review=review
    )


def graded_review(graded: Graded | None, right_answer: str | None) -> dict[str, Any]:
    return {"graded": graded, "right_answer": right_answer}


def prompt_of(version: QuestionVersion, seed: int | None = None) -> dict[str, Any]:
    return for_type(version.qtype).prompt(version, Random(seed) if seed is not None else None)
