"""The LTI tool's protocol endpoints, which partner LMSs (not people) call: whoever the browser
is signed in as, a login lacking its parameters and a launch without a login's state are
refused with the same page (400 and 401), writing nothing. Real launches are tested in
tests/lti/test_tool_launch.py."""

from tests.test_page_permission_matrix import everyone, page


def _launch(_w: object) -> dict[str, object]:
    return {"data": {"id_token": "a.b.c", "state": "no-such-state"}}


page("GET", "/lti/tool/login", everyone(400))
page("POST", "/lti/tool/login", everyone(400))
page("POST", "/lti/tool/launch", everyone(401), _launch)
