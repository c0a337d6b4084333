"""Ready-made questionnaires: the end-of-course evaluation and the satisfaction study of
health professionals, each written in English, French, Russian and Arabic. Their shape (kinds,
scales, conditions) is written once; their words per language are in `template_texts`. The
respondent's country, institution and profession are copied onto each response, so no
template asks for them."""

from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from app.core.errors import Invalid
from app.core.i18n import N_
from app.surveys.models import QuestionKind, Survey, SurveyQuestion, SurveySection
from app.surveys.service.template_texts import SCALES, TEXTS

LANGUAGES = ("en", "fr", "ru", "ar")


class UnknownTemplate(Invalid):
    code = "unknown_template"
    title = N_("No such ready-made survey in this language.")


@dataclass(frozen=True)
class Ask:
    """A question of a template: its key names its words; `options` is a scale's name or
    the keys of its choices; `show_if` an earlier question's key and answers."""

    key: str
    kind: QuestionKind
    options: str | tuple[str, ...] = ()
    required: bool = False
    help: bool = False  # the words have `<key>.help`
    show_if: tuple[str, tuple[int, ...]] | None = None
    max_value: int | None = None


@dataclass(frozen=True)
class Shape:
    key: str
    sections: tuple[tuple[str, tuple[Ask, ...]], ...] = field(default_factory=tuple)


L, S, M, R, N, T = (
    QuestionKind.LIKERT, QuestionKind.SINGLE, QuestionKind.MULTIPLE, QuestionKind.RATING,
    QuestionKind.NUMBER, QuestionKind.LONG_TEXT,
)  # fmt: skip

COURSE_EVALUATION = Shape("course_evaluation", (
    ("teaching", (
        Ask("teaching_clear", L, "agreement", required=True),
        Ask("teaching_support", L, "agreement", required=True),
    )),
    ("materials", (
        Ask("materials_useful", L, "agreement", required=True),
        Ask("materials_level", S, ("level_easy", "level_right", "level_hard")),
    )),
    ("workload", (
        Ask("workload_hours", N, help=True, max_value=80),
        Ask("workload_fair", L, "agreement"),
    )),
    ("organisation", (
        Ask("organisation_clear", L, "agreement", required=True),
        Ask("organisation_webinars", L, "agreement"),
    )),
    ("platform", (
        Ask("platform_easy", L, "agreement", required=True),
        Ask("platform_problems", S, ("yes", "no"), required=True),
    )),
    ("overall", (
        Ask("overall_rating", R, required=True, help=True),
        Ask("platform_problems_detail", T, show_if=("platform_problems", (0,)), required=True),
        Ask("comments", T, help=True),
    )),
))  # fmt: skip

SATISFACTION_STUDY = Shape("health_workforce_satisfaction", (
    ("training", (
        Ask("training_initial", L, "satisfaction", required=True),
        Ask("training_continuing", L, "satisfaction", required=True),
        Ask("training_relevant", L, "agreement"),
    )),
    ("conditions", (
        Ask("conditions_equipment", L, "satisfaction", required=True),
        Ask("conditions_workload", L, "satisfaction", required=True),
        Ask("conditions_pay", L, "satisfaction", required=True),
        Ask("conditions_safety", L, "satisfaction"),
    )),
    ("supervision", (
        Ask("supervision_feedback", L, "agreement", required=True),
        Ask("supervision_recognition", L, "agreement", required=True),
    )),
    ("engagement", (
        Ask("engagement_proud", L, "agreement", required=True),
        Ask("engagement_effort", L, "agreement"),
        Ask("engagement_recommend", R, required=True, help=True),
    )),
    ("stay", (
        Ask("stay_intent", S, ("stay_certainly", "stay_probably", "stay_probably_not",
                               "stay_certainly_not"), required=True),
    )),
    ("views", (
        Ask("leave_reasons", M, ("reason_pay", "reason_workload", "reason_training",
                                 "reason_supervision", "reason_family", "reason_safety",
                                 "reason_career"), show_if=("stay_intent", (2, 3)), help=True),
        Ask("measures", T),
    )),
))  # fmt: skip

SHAPES = {shape.key: shape for shape in (COURSE_EVALUATION, SATISFACTION_STUDY)}


@dataclass(frozen=True)
class Template:
    shape: Shape
    language: str

    @property
    def words(self) -> dict[str, str]:
        return TEXTS[self.language]

    @property
    def title(self) -> str:
        return self.words[f"{self.shape.key}.title"]

    @property
    def description(self) -> str:
        return self.words[f"{self.shape.key}.description"]


def find(key: str, language: str) -> Template:
    if key not in SHAPES or language not in LANGUAGES:
        raise UnknownTemplate(field="template_key")
    return Template(SHAPES[key], language)


def available(language: str = "en") -> list[Template]:
    return [Template(shape, language) for shape in SHAPES.values()]


def _options(ask: Ask, language: str) -> list[str]:
    if isinstance(ask.options, str):
        return list(SCALES[language][ask.options])
    return [TEXTS[language][key] for key in ask.options]


def fill(session: Session, survey: Survey, template: Template) -> None:
    """Write the template's sections and questions into a new survey."""
    words = template.words
    made: dict[str, SurveyQuestion] = {}
    for position, (section_key, asks) in enumerate(template.shape.sections, start=1):
        section = SurveySection(
            survey_id=survey.id, position=position, title=words[f"section.{section_key}"]
        )
        session.add(section)
        session.flush()
        for number, ask in enumerate(asks, start=1):
            source = made[ask.show_if[0]].id if ask.show_if else None
            question = SurveyQuestion(
                survey_id=survey.id, section_id=section.id, position=number, kind=ask.kind,
                text=words[ask.key], help_text=words[f"{ask.key}.help"] if ask.help else "",
                required=ask.required, options=_options(ask, template.language),
                min_value=0 if ask.max_value is not None else None, max_value=ask.max_value,
                show_if_question_id=source,
                show_if_options=list(ask.show_if[1]) if ask.show_if else [],
            )  # fmt: skip
            session.add(question)
            session.flush()
            made[ask.key] = question
