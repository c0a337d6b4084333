"""The project's seed brings the induction's weekly webinars and the MBA's six seminars,
dated from the day it is loaded, each linked to its course module."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from app.core.config import Settings
from app.core.db import utcnow
from app.courses.models import Course, Module
from app.seed import load_seed
from app.webinars.models import WebinarSession


def _sessions(db: Session, code: str) -> list[WebinarSession]:
    return list(
        db.scalars(
            select(WebinarSession)
            .join(Course, Course.id == WebinarSession.course_id)
            .where(Course.code == code)
            .options(selectinload(WebinarSession.sittings))
            .order_by(WebinarSession.starts_at)
        )
    )


# Loaded on a Wednesday two weeks and a half before Paris moves its clocks forward (28 March).
@pytest.mark.time_machine(datetime(2027, 3, 10, 9, 0, tzinfo=UTC))
def test_the_seed_schedules_weekly_webinars_and_the_seminars_ahead(db: Session, settings: Settings):
    settings.max_upload_bytes = 10 * 1024 * 1024
    load_seed(db, settings)

    webinars = _sessions(db, "MPHM-IND")
    seminars = _sessions(db, "MBA-TSM")
    seminar = seminars[0]
    keys = [db.get_one(Module, w.module_id).key for w in webinars if w.module_id]
    paris = {
        w.starts_at.astimezone(ZoneInfo("Europe/Paris")).strftime("%a %H:%M") for w in webinars
    }

    assert len(webinars) == 4
    assert all(w.starts_at > utcnow() for w in webinars)
    assert paris == {"Tue 13:00"}
    assert [w.starts_at.astimezone(UTC).isoformat() for w in webinars] == [
        "2027-03-16T12:00:00+00:00",  # week 1 is the week after loading
        "2027-03-23T12:00:00+00:00",
        "2027-03-30T11:00:00+00:00",  # 13:00 in Paris is an hour earlier in UTC in summer
        "2027-04-06T11:00:00+00:00",
    ]
    assert len(seminars) == 6
    # Monday of week 3, 08:30 in Rabat (UTC+1 then).
    assert seminar.starts_at.astimezone(UTC).isoformat() == "2027-03-29T07:30:00+00:00"
    assert keys == ["w1-webinar", "w2-webinar", "w3-webinar", "w4-webinar"]
    assert [s.minutes for s in seminar.sittings] == [240] * 6  # three days of two half-days
    assert load_seed(db, settings).sessions == 0
