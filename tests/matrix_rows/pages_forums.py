"""Forum pages. Every one is behind sign-in. A course forum is read by whoever may open its
forum module (the course's student and teacher, the platform's manager); someone not in the
(closed) course and the manager of another institution are told it does not exist (404).
Starting a discussion, replying and marking all read are for its readers (303); locking and
pinning and the reported posts are for the moderators, the teacher and the manager (the
student 403); dealing with a report too, and a report is hidden from the others (404). A post
is edited by its author only, within 30 minutes, form and change alike: the student's own
reply (200, 303), which the others see but may not change (403); its author deletes it in that
time, its moderators at any time (303). A classmate's post is reported by every reader. A
programme's welcome forum, shared by all its courses, is opened from the course's forums page
and set up by the programme's managers: the student and the teacher of one of the courses
see the course but may not (403). The settings of a course forum (its teachers' and the
managers') are in the API's matrix."""

from tests.forums import forum_world as f
from tests.test_page_permission_matrix import LOGIN, answers, page

READ = answers(LOGIN, 404, 200, 200, 200, 404)
WRITE = answers(LOGIN, 404, 303, 303, 303, 404)
MODERATE = answers(LOGIN, 404, 403, 303, 303, 404)
MODERATORS_PAGE = answers(LOGIN, 404, 403, 200, 200, 404)
OWN_FORM = answers(LOGIN, 404, 200, 403, 403, 404)
OWN = answers(LOGIN, 404, 303, 403, 403, 404)


def _listed(w: f.World) -> dict[str, object]:
    f.forums_of_course(w)
    return {}


page("GET", "/courses/{code}/forums", READ, _listed)
page(
    "POST", "/courses/{code}/forums/programme", answers(LOGIN, 404, 403, 403, 303, 404),
    lambda w: {"data": {"programme_id": str(f.programme_id(w)), "title": "Welcome"}},
)  # fmt: skip
page("GET", "/forums/{forum_id}", READ, lambda w: {"forum_id": f.forum(w)})
page(
    "POST", "/forums/{forum_id}/threads", WRITE,
    lambda w: {"forum_id": f.forum(w), "data": {"title": "Referrals", "body_markdown": "How?"}},
)  # fmt: skip
page("POST", "/forums/{forum_id}/read", WRITE, lambda w: {"forum_id": f.forum(w)})
page(
    "POST", "/forums/{forum_id}/settings", answers(LOGIN, 404, 403, 403, 303, 404),
    lambda w: {"forum_id": f.programme_forum(w),
               "data": {"title": "Welcome", "kind": "general", "intro_markdown": "Hello"}},
)  # fmt: skip
page("GET", "/forums/{forum_id}/reports", MODERATORS_PAGE, lambda w: {"forum_id": f.forum(w)})
page(
    "POST", "/forums/reports/{report_id}/resolve", answers(LOGIN, 404, 404, 303, 303, 404),
    lambda w: {"report_id": f.report(w)},
)  # fmt: skip
page("GET", "/forums/threads/{thread_id}", READ, lambda w: {"thread_id": f.thread(w)})
page(
    "POST", "/forums/threads/{thread_id}/replies", WRITE,
    lambda w: {"thread_id": f.thread(w), "data": {"body_markdown": "Through the province."}},
)  # fmt: skip
page(
    "POST", "/forums/threads/{thread_id}/moderation", MODERATE,
    lambda w: {"thread_id": f.thread(w), "data": {"locked": "1"}},
)  # fmt: skip
page("GET", "/forums/posts/{post_id}/edit", OWN_FORM, lambda w: {"post_id": f.post(w)})
page(
    "POST", "/forums/posts/{post_id}/edit", OWN,
    lambda w: {"post_id": f.post(w), "data": {"body_markdown": "Edited"}},
)  # fmt: skip
page("POST", "/forums/posts/{post_id}/delete", WRITE, lambda w: {"post_id": f.post(w)})
page("GET", "/forums/posts/{post_id}/report", READ, lambda w: {"post_id": f.classmates_post(w)})
page(
    "POST", "/forums/posts/{post_id}/report", WRITE,
    lambda w: {"post_id": f.classmates_post(w), "data": {"reason": "Off topic"}},
)  # fmt: skip
page(
    "GET", "/forums/posts/{post_id}/files/{name}", READ,
    lambda w: {"post_id": f.post_with_file(w), "name": "notes.txt"},
)  # fmt: skip
