"""How a name and an address are found in text: whole, in any case, escaped as HTML or JSON
writes them; never inside another word; a one-word short name is not searched for."""

import pytest

from app.privacy.service.scrub import _in_text, replacements

ERASED = ("Erased person 7", "erased-7@erased.invalid")


def _scrub(text: str, name: str = "Ann Lee", email: str = "ann.lee@example.org") -> str:
    return _in_text(text, replacements(name, email, *ERASED))


@pytest.mark.parametrize(
    ("text", "left"),
    [
        ("Thanks, Ann Lee!", "Thanks, Erased person 7!"),
        ("ANN LEE wrote", "Erased person 7 wrote"),
        ("<p>Ann Lee</p>", "<p>Erased person 7</p>"),
        ("Annual report by Ann Leeds", "Annual report by Ann Leeds"),
        ("Mail ann.lee@example.org.", "Mail erased-7@erased.invalid."),
        (
            "Not joann.lee@example.org nor ann.lee@example.org.uk",
            "Not joann.lee@example.org nor ann.lee@example.org.uk",
        ),
    ],
)
def test_the_name_and_address_are_replaced_where_they_stand_whole(text: str, left: str):
    assert _scrub(text) == left


def test_a_name_with_an_apostrophe_is_found_as_html_writes_it():
    assert _scrub("<p>O&#x27;Brien Keo</p>", name="O'Brien Keo") == "<p>Erased person 7</p>"


def test_a_short_one_word_name_is_left_alone_but_the_address_goes():
    assert _scrub("An an@example.org an apple", name="An", email="an@example.org") == (
        "An erased-7@erased.invalid an apple"
    )
