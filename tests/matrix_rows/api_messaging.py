"""Private messages over the API, for people's own tokens. Every person has their
conversations and the people they may write to (200), the manager of another institution
too; partner systems take no part in messages, whatever their scopes, and are told there is
nobody (404). Each row's other person is chosen so that the rule shows:

- a conversation is read with a fresh student of the course who wrote to its teacher: the
  teacher reads what they were sent, the tutor (who teaches the student) and the managers (who
  reach everyone) an empty conversation they may start (200); the student and the student
  elsewhere share no teaching with them, and the manager of another institution does not
  reach them, so the person is not admitted to exist (404);
- a message is sent to a fresh student of the course to whom the tutor wrote and who then
  blocked the tutor: the teacher and the managers write (201); the tutor sees the
  conversation but is told they cannot write (403 `cannot_write`); the others are strangers
  to the student (404);
- a block is put on a fresh student of the course who wrote to the teacher, by whoever may
  write to them (204: the teacher, the tutor, the managers) and hidden from the rest (404);
- a block is lifted from a fresh student of the course whom the teacher blocked: the teacher
  lifts theirs; the tutor and the managers, who have none, are answered the same (204); a
  stranger is not admitted to exist (404), as when blocking;
- a message the teacher wrote to the student is reported by its recipient only (201); its
  sender sees it but may not report it (403); it does not exist for anyone else (404).

The managers' list of reported messages is a page (tests/matrix_rows/pages_messaging.py)."""

from tests.messaging import messaging_world as m
from tests.test_permission_matrix import register

EVERY_PERSON = "401 | 200 200 200 200 | 200 200 | 404 404 | 404 200"
M = "/api/v1/messages"


def _listed(w: m.World) -> dict[str, object]:
    m.teachers_message(w)
    return {}


register("get", M, EVERY_PERSON, _listed)
register("get", M + "/contacts", EVERY_PERSON, lambda w: {})
register(
    "get",
    M + "/with/{user_id}",
    "401 | 404 404 200 200 | 200 200 | 404 404 | 404 404",
    lambda w: {"user_id": m.wrote_to_teacher(w)},
)
register(
    "post",
    M + "/with/{user_id}",
    "401 | 404 404 403 201 | 201 201 | 404 404 | 404 404",
    lambda w: {"user_id": m.blocked_the_tutor(w), "json": {"body_markdown": "See you Monday."}},
)
register(
    "put",
    M + "/blocks/{user_id}",
    "401 | 404 404 204 204 | 204 204 | 404 404 | 404 404",
    lambda w: {"user_id": m.wrote_to_teacher(w)},
)
register(
    "delete",
    M + "/blocks/{user_id}",
    "401 | 404 404 204 204 | 204 204 | 404 404 | 404 404",
    lambda w: {"user_id": m.blocked_by_teacher(w)},
)
register(
    "post",
    M + "/{message_id}/reports",
    "401 | 201 404 404 403 | 404 404 | 404 404 | 404 404",
    lambda w: {"message_id": m.teachers_message(w), "json": {"reason": "Written at midnight"}},
)
