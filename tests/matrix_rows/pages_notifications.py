"""Notifications pages, and the form that follows a forum. The list, "mark all read" and the
choices per kind are behind sign-in, and everyone signed in has them, the manager of another
institution too. A notification is opened (read, then its link) by its reader only: the
student's (303) does not exist for anyone else (404). The unsubscribe link a mail carries
works without signing in, for whoever holds it (a mail program's one-click POST carries no
cookie and no form token): the page and the click answer everyone (200).

A forum is followed and left with its page's form by its readers (the course's student and
teacher, the platform's manager: 303); someone not in the (closed) course and the manager of
another institution are told it does not exist (404)."""

from tests.forums import forum_world as f
from tests.notifications import notifications_world as n
from tests.test_page_permission_matrix import LOGIN, answers, everyone, page, signed_in


def _told(w: n.World) -> dict[str, object]:
    n.students_notification(w)
    return {}


page("GET", "/notifications", signed_in(200), _told)
page("POST", "/notifications/read", signed_in(303), _told)
page(
    "GET", "/notifications/{notification_id}", answers(LOGIN, 404, 303, 404, 404, 404),
    lambda w: {"notification_id": n.students_notification(w)},
)  # fmt: skip
page("GET", "/notifications/preferences", signed_in(200))
page(
    "POST", "/notifications/preferences", signed_in(303),
    lambda w: {"data": {"forum_post": "off", "announcement": "digest"}},
)  # fmt: skip
page("GET", "/unsubscribe/{token}", everyone(200),
     lambda w: {"token": n.victims_unsubscribe_token(w)})  # fmt: skip
page("POST", "/unsubscribe/{token}", everyone(200),
     lambda w: {"token": n.victims_unsubscribe_token(w)})  # fmt: skip
page(
    "POST", "/forums/{forum_id}/following", answers(LOGIN, 404, 303, 303, 303, 404),
    lambda w: {"forum_id": f.forum(w), "data": {"follow": "1"}},
)  # fmt: skip
