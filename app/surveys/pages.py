"""The survey pages of their builders: one's surveys, a new survey (blank or ready-made), the
builder with a form for each section and question, and opening, closing and reminding. Every
rule is the service's; everything works without JavaScript. The respondent's pages are in
`respond_pages`."""

from decimal import Decimal
from typing import Annotated, Any

from fastapi import Form, Request
from fastapi.responses import Response

from app.accounts.deps import CurrentUser, PortalActor, SettingsDep, page_router
from app.core.db import SessionDep
from app.core.forms import attempt_form
from app.core.inputs import Id
from app.core.web import render, see_other
from app.surveys import respond_pages
from app.surveys.models import QuestionKind
from app.surveys.schemas import (
    CONDITION_KINDS,
    SurveyCreate,
    SurveyQuestionCreate,
    SurveyQuestionUpdate,
    SurveySectionCreate,
    SurveySectionUpdate,
    SurveyUpdate,
)
from app.surveys.service import building, lifecycle, listing, structure
from app.surveys.service import templates as ready_made
from app.surveys.service.building import Outline

router = page_router()
FormField = Annotated[str, Form()]
CHOICE_KINDS = frozenset({QuestionKind.LIKERT, QuestionKind.SINGLE, QuestionKind.MULTIPLE})
MaybeField = Annotated[str | None, Form()]  # a field the form may leave out: left unchanged


@router.get("/surveys")
def surveys_page(
    request: Request, session: SessionDep, actor: PortalActor, _user: CurrentUser
) -> Response:
    context = {
        "to_answer": listing.to_answer(session, actor),
        "managed": listing.managed(session, actor),
        "can_build": bool(listing.audience_choices(session, actor)),
    }
    return render(request, "surveys/list.html", context)


def _new_page(
    request: Request, session: SessionDep, actor: PortalActor,
    form: dict[str, Any] | None = None, errors: dict[str, str] | None = None, status: int = 200,
) -> Response:  # fmt: skip
    context = {
        "choices": listing.audience_choices(session, actor), "templates": ready_made.available(),
        "languages": ready_made.LANGUAGES, "form": form or {}, "errors": errors or {},
    }  # fmt: skip
    return render(request, "surveys/new.html", context, status)


@router.get("/surveys/new")
def new_survey_page(
    request: Request, session: SessionDep, actor: PortalActor, _user: CurrentUser
) -> Response:
    return _new_page(request, session, actor)


def _audience(value: str) -> tuple[str, str | None]:
    kind, _, target = value.partition(":")
    return kind, target or None


@router.post("/surveys/new")
def create_survey(
    request: Request, session: SessionDep, actor: PortalActor, _user: CurrentUser,
    settings: SettingsDep, title: FormField = "", description: FormField = "",
    language: FormField = "en", audience: FormField = "", anonymous: FormField = "",
    template_key: FormField = "", opens_at: FormField = "", closes_at: FormField = "",
) -> Response:  # fmt: skip
    kind, target = _audience(audience)
    typed = {
        "title": title, "description": description, "language": language,
        "audience_kind": kind, "target_id": target, "anonymous": anonymous == "1",
        "template_key": template_key or None, "opens_at": opens_at or None,
        "closes_at": closes_at or None,
    }  # fmt: skip
    with attempt_form(request, session) as attempt:
        survey = building.create_survey(
            session, actor, settings, SurveyCreate.model_validate(typed)
        )
    if attempt.refused:
        form = {**typed, "audience": audience}
        return _new_page(request, session, actor, form, attempt.errors, 400)
    return see_other(f"/surveys/{survey.id}/build")


# --- the builder ---------------------------------------------------------------------------


def _builder_page(
    request: Request, session: SessionDep, actor: PortalActor, survey_id: int, *,
    failed: str = "", form: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None, status: int = 200,
) -> Response:  # fmt: skip
    outline = building.outline(session, actor, survey_id)
    context = {
        "outline": outline, "survey": outline.survey, "kinds": list(QuestionKind),
        "responses": building.response_count(session, survey_id),
        "conditions": _condition_sources(outline), "failed": failed, "form": form or {},
        "errors": errors or {}, "reminded": request.query_params.get("reminded"),
    }  # fmt: skip
    return render(request, "surveys/builder.html", context, status)


def _condition_sources(outline: Outline) -> dict[int, list[Any]]:
    """For each section, the questions of earlier sections a question of it may depend on."""
    sources: dict[int, list[Any]] = {}
    earlier: list[Any] = []
    for section, questions in outline.sections:
        sources[section.id] = list(earlier)
        earlier += [q for q in questions if q.kind in CONDITION_KINDS]
    return sources


@router.get("/surveys/{survey_id}/build")
def builder_page(
    request: Request, session: SessionDep, actor: PortalActor, _user: CurrentUser, survey_id: Id
) -> Response:
    return _builder_page(request, session, actor, survey_id)


@router.post("/surveys/{survey_id}/settings")
def update_settings(
    request: Request, session: SessionDep, actor: PortalActor, _user: CurrentUser,
    settings: SettingsDep, survey_id: Id, title: FormField = "", description: FormField = "",
    opens_at: FormField = "", closes_at: FormField = "",
) -> Response:  # fmt: skip
    typed = {"title": title, "description": description, "opens_at": opens_at or None,
             "closes_at": closes_at or None}  # fmt: skip
    with attempt_form(request, session) as attempt:
        data = SurveyUpdate.model_validate(typed)
        building.update_survey(session, actor, settings, survey_id, data)
    if attempt.refused:
        return _builder_page(request, session, actor, survey_id, failed="settings",
                             form=typed, errors=attempt.errors, status=400)  # fmt: skip
    return see_other(f"/surveys/{survey_id}/build")


@router.post("/surveys/{survey_id}/sections")
def add_section(
    request: Request, session: SessionDep, actor: PortalActor, _user: CurrentUser,
    survey_id: Id, title: FormField = "", description: FormField = "",
) -> Response:  # fmt: skip
    typed = {"title": title, "description": description}
    with attempt_form(request, session) as attempt:
        made = structure.add_section(
            session, actor, survey_id, SurveySectionCreate.model_validate(typed)
        )
    if attempt.refused:
        return _builder_page(request, session, actor, survey_id, failed="new-section",
                             form=typed, errors=attempt.errors, status=400)  # fmt: skip
    return see_other(f"/surveys/{survey_id}/build#section-{made.id}")


@router.post("/surveys/{survey_id}/sections/{section_id}")
def update_section(
    request: Request, session: SessionDep, actor: PortalActor, _user: CurrentUser,
    survey_id: Id, section_id: Id, title: FormField = "", position: FormField = "",
) -> Response:  # fmt: skip
    typed = {"title": title} if title else {"position": position}
    with attempt_form(request, session) as attempt:
        data = SurveySectionUpdate.model_validate(typed)
        structure.update_section(session, actor, section_id, data)
    if attempt.refused:
        return _builder_page(request, session, actor, survey_id, failed=f"section-{section_id}",
                             form=typed, errors=attempt.errors, status=400)  # fmt: skip
    return see_other(f"/surveys/{survey_id}/build#section-{section_id}")


@router.post("/surveys/{survey_id}/sections/{section_id}/delete")
def delete_section(
    request: Request, session: SessionDep, actor: PortalActor, _user: CurrentUser,
    survey_id: Id, section_id: Id,
) -> Response:  # fmt: skip
    with attempt_form(request, session) as attempt:
        structure.delete_section(session, actor, section_id)
    if attempt.refused:
        return _builder_page(request, session, actor, survey_id, failed=f"section-{section_id}",
                             errors=attempt.errors, status=409)  # fmt: skip
    return see_other(f"/surveys/{survey_id}/build")


def _decimal(text: str) -> Decimal | str | None:
    return text.strip().replace(",", ".") or None


def _condition(outline: Outline, source: str, answers: str) -> tuple[int | None, list[str]]:
    """A condition as the builder's form gives it: the source question and its answers as
    shown (choices numbered from 1, ratings as they are)."""
    if not source:
        return None, []
    numbers = [item.strip() for item in answers.replace(";", ",").split(",") if item.strip()]
    chosen = next((q for q in outline.questions if str(q.id) == source), None)
    if chosen is None or chosen.kind is QuestionKind.RATING:
        return int(source) if source.isdigit() else None, numbers
    return int(source), [str(int(n) - 1) if n.isdigit() else n for n in numbers]


def question_form(
    outline: Outline, kind: str, text: str, help_text: str, required: str, options: str,
    min_value: str, max_value: str, show_if_question_id: str, show_if_options: str,
) -> dict[str, Any]:  # fmt: skip
    source, answers = _condition(outline, show_if_question_id, show_if_options)
    return {
        "kind": kind, "text": text, "help_text": help_text, "required": required == "1",
        "options": [line.strip() for line in options.splitlines() if line.strip()],
        "min_value": _decimal(min_value), "max_value": _decimal(max_value),
        "show_if_question_id": source, "show_if_options": answers,
    }  # fmt: skip


@router.post("/surveys/{survey_id}/sections/{section_id}/questions")
def add_question(
    request: Request, session: SessionDep, actor: PortalActor, _user: CurrentUser,
    survey_id: Id, section_id: Id, kind: FormField = "", text: FormField = "",
    help_text: FormField = "", required: FormField = "", options: FormField = "",
    min_value: FormField = "", max_value: FormField = "", show_if_question_id: FormField = "",
    show_if_options: FormField = "",
) -> Response:  # fmt: skip
    outline = building.outline(session, actor, survey_id)
    typed = question_form(outline, kind, text, help_text, required, options, min_value,
                          max_value, show_if_question_id, show_if_options)  # fmt: skip
    with attempt_form(request, session) as attempt:
        data = SurveyQuestionCreate.model_validate(typed)
        made = structure.add_question(session, actor, section_id, data)
    if attempt.refused:
        shown = {**typed, "options": options, "show_if_options": show_if_options}
        return _builder_page(request, session, actor, survey_id, failed=f"new-q-{section_id}",
                             form=shown, errors=attempt.errors, status=400)  # fmt: skip
    return see_other(f"/surveys/{survey_id}/build#question-{made.id}")


def _edited(
    outline: Outline, question_id: int, text: str, help_text: str, required: str,
    options: str | None, bounds: tuple[str | None, str | None],
    condition: tuple[str | None, str | None],
) -> dict[str, Any]:  # fmt: skip
    """The edit form as a change, read as the new-question form reads it: the fields the
    question's kind has and the form gave (one it left out stays as it is)."""
    typed: dict[str, Any] = {"text": text, "help_text": help_text, "required": required == "1"}
    question = next((q for q in outline.questions if q.id == question_id), None)
    if question is None:
        return typed
    read = question_form(outline, question.kind.value, text, help_text, required, options or "",
                         bounds[0] or "", bounds[1] or "", condition[0] or "",
                         condition[1] or "")  # fmt: skip
    if options is not None and question.kind in CHOICE_KINDS:
        typed["options"] = read["options"]
    if question.kind is QuestionKind.NUMBER:
        given = dict(zip(("min_value", "max_value"), bounds, strict=True))
        typed |= {name: read[name] for name, raw in given.items() if raw is not None}
    if condition[0] is not None:
        typed |= {"show_if_question_id": read["show_if_question_id"],
                  "show_if_options": read["show_if_options"]}  # fmt: skip
    return typed


@router.post("/surveys/{survey_id}/questions/{question_id}")
def update_question(
    request: Request, session: SessionDep, actor: PortalActor, _user: CurrentUser,
    survey_id: Id, question_id: Id, text: FormField = "", help_text: FormField = "",
    required: FormField = "", position: FormField = "", options: MaybeField = None,
    min_value: MaybeField = None, max_value: MaybeField = None,
    show_if_question_id: MaybeField = None, show_if_options: MaybeField = None,
) -> Response:  # fmt: skip
    typed: dict[str, Any] = {"position": position}
    if not position:
        outline = building.outline(session, actor, survey_id)
        typed = _edited(outline, question_id, text, help_text, required, options,
                        (min_value, max_value), (show_if_question_id, show_if_options))  # fmt: skip
    with attempt_form(request, session) as attempt:
        structure.update_question(
            session, actor, question_id, SurveyQuestionUpdate.model_validate(typed)
        )
    if attempt.refused:
        shown = {**typed, "options": options or "", "show_if_options": show_if_options or ""}
        return _builder_page(request, session, actor, survey_id, failed=f"q-{question_id}",
                             form=shown, errors=attempt.errors, status=400)  # fmt: skip
    return see_other(f"/surveys/{survey_id}/build#question-{question_id}")


@router.post("/surveys/{survey_id}/questions/{question_id}/delete")
def delete_question(
    request: Request, session: SessionDep, actor: PortalActor, _user: CurrentUser,
    survey_id: Id, question_id: Id,
) -> Response:  # fmt: skip
    with attempt_form(request, session) as attempt:
        structure.delete_question(session, actor, question_id)
    if attempt.refused:
        return _builder_page(request, session, actor, survey_id, failed=f"q-{question_id}",
                             errors=attempt.errors, status=409)  # fmt: skip
    return see_other(f"/surveys/{survey_id}/build")


# --- opening, closing, reminding -----------------------------------------------------------


@router.post("/surveys/{survey_id}/open")
def open_survey(
    request: Request, session: SessionDep, actor: PortalActor, _user: CurrentUser,
    settings: SettingsDep, survey_id: Id,
) -> Response:  # fmt: skip
    with attempt_form(request, session) as attempt:
        opened = lifecycle.open_survey(session, actor, survey_id)
    if attempt.refused:
        return _builder_page(request, session, actor, survey_id, failed="status",
                             errors=attempt.errors, status=409)  # fmt: skip
    if opened.public_link is None:
        return see_other(f"/surveys/{survey_id}/build")
    # The secret exists only in this answer: it is shown once, as API secrets are.
    link = settings.base_url.rstrip("/") + opened.public_link
    return render(request, "surveys/opened.html", {"survey": opened.survey, "link": link})


@router.post("/surveys/{survey_id}/close")
def close_survey(
    request: Request, session: SessionDep, actor: PortalActor, _user: CurrentUser, survey_id: Id
) -> Response:
    with attempt_form(request, session) as attempt:
        lifecycle.close_survey(session, actor, survey_id)
    if attempt.refused:
        return _builder_page(request, session, actor, survey_id, failed="status",
                             errors=attempt.errors, status=409)  # fmt: skip
    return see_other(f"/surveys/{survey_id}/build")


@router.post("/surveys/{survey_id}/remind")
def remind(
    request: Request, session: SessionDep, actor: PortalActor, _user: CurrentUser, survey_id: Id
) -> Response:
    with attempt_form(request, session) as attempt:
        told = lifecycle.remind(session, actor, survey_id)
    if attempt.refused:
        return _builder_page(request, session, actor, survey_id, failed="status",
                             errors=attempt.errors, status=409)  # fmt: skip
    return see_other(f"/surveys/{survey_id}/build?reminded={told}")


@router.post("/surveys/{survey_id}/delete")
def delete_survey(
    request: Request, session: SessionDep, actor: PortalActor, _user: CurrentUser, survey_id: Id
) -> Response:
    with attempt_form(request, session) as attempt:
        building.delete_survey(session, actor, survey_id)
    if attempt.refused:
        return _builder_page(request, session, actor, survey_id, failed="status",
                             errors=attempt.errors, status=409)  # fmt: skip
    return see_other("/surveys")


routers = [router, *respond_pages.routers]
