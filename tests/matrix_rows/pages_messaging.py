"""Messages pages. Every one is behind sign-in. Everyone signed in has their messages page
(their conversations and the people they may write to), the manager of another institution
too. Each row's other person is chosen so that the rule shows:

- the conversation with the course's teacher, who wrote to the student: the student reads it,
  the platform's manager (who reaches everyone) sees an empty one they may start (200); the
  teacher is not someone to write to themselves, and someone not in the course and the
  manager of another institution share nothing with the teacher: for them the person is not
  admitted to exist (404);
- a message is sent to the teacher by their student and by the manager (303), and by nobody
  else (404, as above);
- a block is put on a fresh student of the course who wrote to the teacher, by the teacher
  and the manager, who may write to them (303); the student (a classmate, no teacher of
  theirs), someone not in the course and the manager of another institution are strangers to
  them (404);
- a message the teacher wrote to the student is reported from the conversation by its
  recipient (303); its sender sees it but may not report it (403); for the others it does
  not exist (404);
- the reported messages are read by the managers (200; the others 403), and a report is dealt
  with by the managers who reach the message's sender: the platform's manager (303); the
  teacher is of the course's institution, so the manager of another institution sees the
  page but not this report (404).

Lifting a block over the API and the tutor's answers are in the API's matrix."""

from tests.messaging import messaging_world as m
from tests.test_page_permission_matrix import LOGIN, answers, page, signed_in


def _teacher_who_wrote(w: m.World) -> dict[str, object]:
    m.teachers_message(w)
    return {"user_id": w.people[m.TEA]}


def _teachers_message(w: m.World) -> dict[str, object]:
    message_id = m.teachers_message(w)
    return {"user_id": w.people[m.TEA], "message_id": message_id,
            "data": {"reason": "Written at midnight"}}  # fmt: skip


def _listed(w: m.World) -> dict[str, object]:
    m.teachers_message(w)
    return {}


def _reported(w: m.World) -> dict[str, object]:
    m.report(w)
    return {}


page("GET", "/messages", signed_in(200), _listed)
page("GET", "/messages/{user_id}", answers(LOGIN, 404, 200, 404, 200, 404), _teacher_who_wrote)
page(
    "POST", "/messages/{user_id}", answers(LOGIN, 404, 303, 404, 303, 404),
    lambda w: {"user_id": w.people[m.TEA], "data": {"body_markdown": "See you Monday."}},
)  # fmt: skip
page(
    "POST", "/messages/{user_id}/block", answers(LOGIN, 404, 404, 303, 303, 404),
    lambda w: {"user_id": m.wrote_to_teacher(w), "data": {"blocked": "1"}},
)  # fmt: skip
page(
    "POST", "/messages/{user_id}/reports/{message_id}", answers(LOGIN, 404, 303, 403, 404, 404),
    _teachers_message,
)  # fmt: skip
page("GET", "/admin/message-reports", answers(LOGIN, 403, 403, 403, 200, 200), _reported)
page(
    "POST", "/admin/message-reports/{report_id}/resolve",
    answers(LOGIN, 403, 403, 403, 303, 404),
    lambda w: {"report_id": m.report(w)},
)  # fmt: skip
