"""Forums over the API, for people's own tokens. A course forum is read by whoever may open
its forum module: the course's student, tutor and teacher, and the managers (the platform's
reach the course, 200); a student elsewhere, partner systems and the partner and manager of
another institution are told it does not exist (404), partner systems even with every scope,
since forums are between people. Writing (a discussion, a reply) is for the course's students,
tutors and teachers, and the managers who moderate; locking and pinning for the moderators
(the student 403); the forum's settings for its teachers and the managers (the student and the
tutor 403). A post is changed by its author only, within 30 minutes: the student's own reply
is theirs (200), and so are the files attached to it (201), the others see it but may not
(403); a post's file is read as the post is; its author deletes it within that time,
its moderators at any time (204). A classmate's post may be reported by every reader (201).
The course's list of forums and search answer whoever sees the course: a partner system with
the courses scope sees the course, so it is answered with no forum and no hit (200, empty).
A programme's welcome forum is opened by the managers who manage the programme: everyone else
sees the (published) programme but may not (403), the manager of another institution too."""

from tests.forums import forum_world as f
from tests.test_permission_matrix import register

READ = "401 | 200 404 200 200 | 200 200 | 404 404 | 404 404"
LISTED = "401 | 200 404 200 200 | 200 200 | 200 404 | 404 404"
WRITE = "401 | 201 404 201 201 | 201 201 | 404 404 | 404 404"
MODERATE = "401 | 403 404 200 200 | 200 200 | 404 404 | 404 404"
CONFIGURE = "401 | 403 404 403 200 | 200 200 | 404 404 | 404 404"
DONE = "401 | 204 404 204 204 | 204 204 | 404 404 | 404 404"
OWN = "401 | 200 404 403 403 | 403 403 | 404 404 | 404 404"
OWN_NEW = "401 | 201 404 403 403 | 403 403 | 404 404 | 404 404"
OPEN = "401 | 403 403 403 403 | 201 201 | 403 403 | 403 403"
C = "/api/v1/courses/{course_id}"
F = "/api/v1/forums/{forum_id}"
T = "/api/v1/forum-threads/{thread_id}"
P = "/api/v1/forum-posts/{post_id}"


def _listed(w: f.World) -> dict[str, object]:
    f.forums_of_course(w)
    return {}


def _search(w: f.World) -> dict[str, object]:
    f.forums_of_course(w)
    return {"params": {"q": "Vientiane"}}


register("get", C + "/forums", LISTED, _listed)
register("get", C + "/forum-search", LISTED, _search)
register(
    "post",
    "/api/v1/programmes/{programme_id}/forums",
    OPEN,
    lambda w: {"programme_id": f.programme_id(w), "json": {"title": "Welcome"}},
)
register(
    "get", "/api/v1/modules/{module_id}/forum", READ, lambda w: {"module_id": f.forum_module(w)}
)
register("get", F, READ, lambda w: {"forum_id": f.forum(w)})
register(
    "patch",
    F,
    CONFIGURE,
    lambda w: {"forum_id": f.forum(w), "json": {"kind": "qanda", "title": "Questions"}},
)
register("post", F + "/read", DONE, lambda w: {"forum_id": f.forum(w)})
register("get", F + "/threads", READ, lambda w: {"forum_id": f.forum(w)})
register(
    "post",
    F + "/threads",
    WRITE,
    lambda w: {"forum_id": f.forum(w), "json": {"title": "Referrals", "body_markdown": "How?"}},
)
register("get", T, READ, lambda w: {"thread_id": f.thread(w)})
register("patch", T, MODERATE, lambda w: {"thread_id": f.thread(w), "json": {"locked": True}})
register("get", T + "/posts", READ, lambda w: {"thread_id": f.thread(w)})
register(
    "post",
    T + "/posts",
    WRITE,
    lambda w: {"thread_id": f.thread(w), "json": {"body_markdown": "Through the province."}},
)
register("patch", P, OWN, lambda w: {"post_id": f.post(w), "json": {"body_markdown": "Edited"}})
register("delete", P, DONE, lambda w: {"post_id": f.post(w)})
register(
    "post",
    P + "/reports",
    WRITE,
    lambda w: {"post_id": f.classmates_post(w), "json": {"reason": "Off topic"}},
)
register(
    "post", P + "/files", OWN_NEW,
    lambda w: {"post_id": f.post(w), "files": {"file": ("plan.txt", b"The plan")}},
)  # fmt: skip
register(
    "get", P + "/files/{name}", READ,
    lambda w: {"post_id": f.post_with_file(w), "name": "notes.txt"},
)  # fmt: skip
