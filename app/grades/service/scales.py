"""Grading scales as data: listed and read by everyone signed in, created by managers, loaded
from `courses_seed/scales.yaml` by the seed."""

from collections.abc import Sequence
from pathlib import Path

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, selectinload

from app.core.actors import SYSTEM, Actor, require
from app.core.errors import Conflict, NotFound
from app.core.i18n import N_
from app.grades import policy
from app.grades.models import Scale, ScaleLevel
from app.grades.setup_schemas import ScaleCreate


class ScaleCodeTaken(Conflict):
    code = "scale_code_taken"


def list_scales(session: Session, actor: Actor) -> Sequence[Scale]:
    """The shared scales and those of the actor's institution (all of them for others)."""
    require(policy.can_read_scales(actor))
    stmt = select(Scale).options(selectinload(Scale.levels)).order_by(Scale.code)
    if actor.is_confined:
        stmt = stmt.where(
            or_(Scale.institution_id.is_(None), Scale.institution_id == actor.institution_id)
        )
    return session.scalars(stmt).all()


def get_scale(session: Session, actor: Actor, scale_id: int) -> Scale:
    """One scale with its levels; another institution's scale does not exist for the actor."""
    require(policy.can_read_scales(actor))
    scale = session.scalar(
        select(Scale).where(Scale.id == scale_id).options(selectinload(Scale.levels))
    )
    if scale is None or not policy.scale_visible(actor, scale.institution_id):
        raise NotFound(N_("No such scale."))
    return scale


def create_scale(session: Session, actor: Actor, data: ScaleCreate) -> Scale:
    """A new scale; its levels are kept from the lowest percentage to the highest. Codes are
    unique platform-wide."""
    require(policy.can_create_scales(actor))
    if session.scalar(select(Scale.id).where(Scale.code == data.code)) is not None:
        raise ScaleCodeTaken(N_("A scale with this code exists."), field="code")
    scale = Scale(
        code=data.code,
        name=data.name,
        out_of=data.out_of,
        institution_id=actor.institution_id if actor.is_institution_manager else None,
    )
    ordered = sorted(data.levels, key=lambda level: level.min_percent)
    scale.levels = [
        ScaleLevel(
            position=position,
            label=level.label,
            value=level.value,
            min_percent=level.min_percent,
            passing=level.passing,
        )
        for position, level in enumerate(ordered)
    ]
    session.add(scale)
    session.flush()
    return scale


def scale_by_code(session: Session, code: str) -> Scale | None:
    """A shared scale by its code, with its levels (for the letter display)."""
    return session.scalar(
        select(Scale).where(Scale.code == code).options(selectinload(Scale.levels))
    )


def load_scales(session: Session, seed_dir: Path) -> int:
    """Create the scales of `scales.yaml` that do not exist yet; returns how many."""
    path = seed_dir / "scales.yaml"
    if not path.exists():
        return 0
    import yaml  # only the seed reads YAML here: not imported by every worker at start-up

    with path.open(encoding="utf-8") as handle:
        entries = yaml.safe_load(handle)["scales"]
    existing = set(session.scalars(select(Scale.code)))
    created = 0
    for entry in entries:
        if entry["code"] in existing:
            continue
        create_scale(session, SYSTEM, ScaleCreate.model_validate(entry))
        created += 1
    return created
