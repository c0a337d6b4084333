"""Notifications over the API, for people's own tokens, and following a forum. Every person
has their notifications and their choices per kind (200; marking all read 204), the manager
of another institution too; partner systems receive no notifications, whatever their scopes,
and are told there are none (404). A notification is its reader's: the student's is marked
read by the student (200) and does not exist for anyone else (404).

Following a forum is for its readers (the course's student, tutor and teacher, and the
managers who reach it): whether they follow (200), following (200) and leaving it (204); a
student elsewhere, partner systems and the partner and manager of another institution are
told the forum does not exist (404), as when reading it. An announcements forum, which
everyone receives, cannot be followed (403: tests/notifications/test_emitters.py)."""

from tests.forums import forum_world as f
from tests.notifications import notifications_world as n
from tests.test_permission_matrix import register

EVERY_PERSON = "401 | 200 200 200 200 | 200 200 | 404 404 | 404 200"
DONE_BY_EVERY_PERSON = "401 | 204 204 204 204 | 204 204 | 404 404 | 404 204"
FORUM_READERS = "401 | 200 404 200 200 | 200 200 | 404 404 | 404 404"
N = "/api/v1/notifications"
F = "/api/v1/forums/{forum_id}/subscription"


def _told(w: n.World) -> dict[str, object]:
    n.students_notification(w)
    return {}


register("get", N, EVERY_PERSON, _told)
register("post", N + "/read", DONE_BY_EVERY_PERSON, _told)
register(
    "post",
    N + "/{notification_id}/read",
    "401 | 200 404 404 404 | 404 404 | 404 404 | 404 404",
    lambda w: {"notification_id": n.students_notification(w)},
)
register("get", N + "/preferences", EVERY_PERSON, lambda w: {})
register(
    "patch",
    N + "/preferences",
    EVERY_PERSON,
    lambda w: {"json": {"choices": {"forum_post": "off", "announcement": "digest"}}},
)
register("get", F, FORUM_READERS, lambda w: {"forum_id": f.forum(w)})
register("put", F, FORUM_READERS, lambda w: {"forum_id": f.forum(w)})
register(
    "delete",
    F,
    FORUM_READERS.replace("200", "204"),
    lambda w: {"forum_id": f.forum(w)},
)
