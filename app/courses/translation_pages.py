"""Teachers' page for a module's versions in other languages: add, replace or delete one.
Each form calls the same service functions as the API (`app.courses.service.translations`)."""

from typing import Annotated

from fastapi import Form, Path, Query, Request
from fastapi.responses import Response

from app.accounts.deps import CurrentUser, PortalActor, page_router
from app.core.db import SessionDep
from app.core.forms import attempt_form
from app.core.i18n import language_names_in
from app.core.inputs import Id
from app.core.web import render, request_locale, see_other
from app.courses.schemas import TranslationWrite
from app.courses.service import translations

router = page_router()
FormText = Annotated[str, Form()]


def _translations_page(
    request: Request,
    session: SessionDep,
    actor: PortalActor,
    module_id: int,
    editing: str | None = None,
    form: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
) -> Response:
    editor = translations.translations_editor(session, actor, module_id)
    current = editor.translations.get(editing or "")
    if form is None:
        form = {
            "language": current.language if current else "",
            "title": current.title if current else "",
            "body": current.body_markdown if current else "",
            "description": current.description if current else "",
        }
    context = {
        "editor": editor,
        "module": editor.module,
        "form": form,
        "errors": errors or {},
        "names": language_names_in(request_locale(request)),
        # The languages the form offers: those without a version, and the one being edited.
        "choices": sorted({*editor.missing, *([current.language] if current else [])}),
    }
    return render(request, "courses/translations.html", context, 400 if errors else 200)


@router.get("/modules/{module_id}/translations")
def translations_page(
    request: Request,
    session: SessionDep,
    actor: PortalActor,
    _user: CurrentUser,
    module_id: Id,
    language: Annotated[str | None, Query(max_length=8)] = None,
) -> Response:
    return _translations_page(request, session, actor, module_id, editing=language)


@router.post("/modules/{module_id}/translations")
def save_translation(
    request: Request,
    session: SessionDep,
    actor: PortalActor,
    _user: CurrentUser,
    module_id: Id,
    language: FormText = "",
    title: FormText = "",
    body: FormText = "",
    description: FormText = "",
) -> Response:
    typed = {"language": language, "title": title, "body": body, "description": description}
    with attempt_form(request, session) as attempt:
        translations.save_translation(
            session,
            actor,
            module_id,
            language,
            TranslationWrite(title=title, body=body, description=description),
        )
    if attempt.refused:
        return _translations_page(
            request, session, actor, module_id, form=typed, errors=attempt.errors
        )
    return see_other(f"/modules/{module_id}/translations?saved={language}")


@router.post("/modules/{module_id}/translations/{language}/delete")
def delete_translation(
    session: SessionDep,
    actor: PortalActor,
    _user: CurrentUser,
    module_id: Id,
    language: Annotated[str, Path(max_length=8)],
) -> Response:
    translations.delete_translation(session, actor, module_id, language)
    return see_other(f"/modules/{module_id}/translations?deleted={language}")
