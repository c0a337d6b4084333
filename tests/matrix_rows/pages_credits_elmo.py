"""The ELMO download: every signed-in person downloads their own results; a visitor is asked
to sign in."""

from tests.test_page_permission_matrix import page, signed_in

page("GET", "/me/credits/elmo.xml", signed_in(200))
