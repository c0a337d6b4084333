"""The registrar's programme rules page (`/admin/programmes/{code}/rules`): the programme's
courses with their semester, credits and standing, and one form for its semesters, elective
groups and compensation units. A refused form is shown again with what was typed and its
message, and writes nothing."""

from typing import Annotated, Any

from fastapi import Depends, Path, Request
from fastapi.responses import Response
from starlette.datastructures import FormData

from app.accounts.deps import CurrentUser, PortalActor, page_router
from app.core.actors import Actor
from app.core.db import SessionDep
from app.core.forms import attempt_form
from app.core.web import render, see_other
from app.credits.progress_schemas import RulesWrite
from app.credits.service import rules
from app.credits.service.rules import RuleInvalid, RuleSet

router = page_router()
ProgrammeCode = Annotated[str, Path(min_length=1, max_length=32)]
MAX_ROWS = 50  # as many groups or units as the rules accept
BLANK_ROWS = 2  # empty rows offered under the existing ones, to add groups without script
KINDS = {"group": "min_credits", "unit": "threshold_percent"}


def _plain(value: object) -> str:
    """A number as a form field reads it back, whatever the reader's language (5, 12.5)."""
    if value is None:
        return ""
    text = str(value)
    return text.rstrip("0").rstrip(".") if "." in text else text


def _rows_of(ruleset: RuleSet) -> dict[str, list[dict[str, Any]]]:
    code_of = {link.course_id: link.course.code for link in ruleset.courses}
    groups = [
        {"code": g.code, "title": g.title, "semester": _plain(g.semester),
         "min_credits": _plain(g.min_credits),
         "courses": {code_of[c.course_id] for c in g.courses if c.course_id in code_of}}
        for g in ruleset.groups
    ]  # fmt: skip
    units = [
        {"code": u.code, "title": u.title, "semester": _plain(u.semester),
         "threshold_percent": _plain(u.threshold_percent),
         "courses": {code_of[c.course_id] for c in u.courses if c.course_id in code_of}}
        for u in ruleset.units
    ]  # fmt: skip
    return {"group": groups, "unit": units}


def _with_blanks(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    room = max(0, min(BLANK_ROWS, MAX_ROWS - len(rows)))
    return rows + [{"courses": set()} for _ in range(room)]


def _page(
    request: Request,
    session: SessionDep,
    actor: Actor,
    code: str,
    typed: dict[str, Any] | None = None,
    error: dict[str, Any] | None = None,
    status: int = 200,
) -> Response:
    ruleset = rules.editable_rules(session, actor, code)
    form = typed or {"semesters": _plain(ruleset.semesters), **_rows_of(ruleset)}
    context = {
        "ruleset": ruleset,
        "group_of": ruleset.group_of,
        "unit_of": {link.course_id: u.code for u in ruleset.units for link in u.courses},
        "semesters": form["semesters"],
        "groups": _with_blanks(form["group"]),
        "units": _with_blanks(form["unit"]),
        "error": error,
        "saved": request.query_params.get("saved") == "1",
    }
    return render(request, "credits/rules.html", context, status=status)


@router.get("/admin/programmes/{code}/rules")
def rules_page(
    request: Request,
    session: SessionDep,
    actor: PortalActor,
    _user: CurrentUser,
    code: ProgrammeCode,
) -> Response:
    return _page(request, session, actor, code)


def _text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def _typed_rows(form: FormData, kind: str) -> list[dict[str, Any]]:
    """The filled rows of one kind (`group-0-code`, `group-0-courses`…); empty ones skipped."""
    number = KINDS[kind]
    rows = []
    for index in range(MAX_ROWS):
        prefix = f"{kind}-{index}-"
        row: dict[str, Any] = {
            name: _text(form, prefix + name) for name in ("code", "title", "semester", number)
        }
        row["courses"] = {c for c in form.getlist(prefix + "courses") if isinstance(c, str)}
        if any(row.values()):
            rows.append(row)
    return rows


async def typed_rules(request: Request) -> dict[str, Any]:
    """What the rules form holds, read on the event loop; checking is the schema's."""
    form = await request.form()
    return {
        "semesters": _text(form, "semesters"),
        "group": _typed_rows(form, "group"),
        "unit": _typed_rows(form, "unit"),
    }


def _as_input(typed: dict[str, Any]) -> dict[str, Any]:
    def one(row: dict[str, Any]) -> dict[str, Any]:
        data = {k: v for k, v in row.items() if k != "courses"}
        data["semester"] = row["semester"] or None
        data["courses"] = sorted(row["courses"])
        return data

    return {
        "semesters": typed["semesters"],
        "elective_groups": [one(row) for row in typed["group"]],
        "compensation_units": [one(row) for row in typed["unit"]],
    }


def _anchor(field: str) -> str:
    """The id of the form part an error is about: `elective_groups.1.courses` -> `group-1`."""
    parts = field.split(".")
    kind = {"elective_groups": "group", "compensation_units": "unit"}.get(parts[0])
    if kind and len(parts) > 1 and parts[1].isdigit():
        return f"{kind}-{parts[1]}"
    return "semesters" if parts[0] == "semesters" else "rules-form"


@router.post("/admin/programmes/{code}/rules")
def save_rules(
    request: Request,
    session: SessionDep,
    actor: PortalActor,
    _user: CurrentUser,
    code: ProgrammeCode,
    typed: Annotated[dict[str, Any], Depends(typed_rules)],
) -> Response:
    """One form for the whole rule set: one invalid rule and nothing is saved."""
    with attempt_form(request, session) as attempt:
        rules.replace_rules(session, actor, code, RulesWrite.model_validate(_as_input(typed)))
    if attempt.error is not None:
        if isinstance(attempt.error, RuleInvalid):
            error = {"msgid": attempt.error.msgid, "values": attempt.error.values}
        else:
            error = {"msgid": attempt.message, "values": {}}
        error["anchor"] = _anchor(next(iter(attempt.errors), "form"))
        return _page(request, session, actor, code, typed, error, status=422)
    return see_other(f"/admin/programmes/{code}/rules?saved=1")
