"""French spacing on French content: narrow no-break spaces in the text read, nowhere else."""

import pytest
from markupsafe import Markup

from app.core.markdown import render_markdown
from app.core.typography import french_spacing, is_french, typography

N = "\u202f"


@pytest.mark.parametrize(
    ("written", "typeset"),
    [
        # Sentences of the MBA-TSM and RES-WS seed courses, as their authors typed them.
        (
            "Le MBA s'ouvre sur le cadre qui donne son sens à toute la formation : la "
            "régionalisation",
            f"Le MBA s'ouvre sur le cadre qui donne son sens à toute la formation{N}: la "
            "régionalisation",
        ),
        (
            "lesquelles aimeriez-vous pouvoir prendre au niveau régional ? Pourquoi ?",
            f"lesquelles aimeriez-vous pouvoir prendre au niveau régional{N}? Pourquoi{N}?",
        ),
        ("- faisabilité (moyens, acteurs) ;", f"- faisabilité (moyens, acteurs){N};"),
        ("Note de cadrage : problème, périmètre", f"Note de cadrage{N}: problème, périmètre"),
        # Signs typed without a space, with a wide no-break space, or already right.
        ("Pourquoi?", f"Pourquoi{N}?"),
        ("Attention\u00a0!", f"Attention{N}!"),
        (f"Déjà{N}; juste", f"Déjà{N}; juste"),
        ("Vraiment ?!", f"Vraiment{N}?!"),
        ("Objectif: trois indicateurs", f"Objectif{N}: trois indicateurs"),
        ("le « projet collectif » et «l'audit»", f"le «{N}projet collectif{N}» et «{N}l'audit{N}»"),
        # What is not prose stays as it is.
        ("de 9:00 à 12:30, ratio 1:2", "de 9:00 à 12:30, ratio 1:2"),
        ("voir https://ensp.ma/?page=1 ou mailto:info@ensp.ma",) * 2,
        ("clé:valeur", "clé:valeur"),
    ],
)  # fmt: skip
def test_french_text_gets_narrow_no_break_spaces(written: str, typeset: str):
    assert french_spacing(written) == typeset
    assert french_spacing(typeset) == typeset  # applying it twice changes nothing


def test_tags_attributes_entities_and_code_are_left_alone():
    html = (
        '<p>Lisez <a href="https://x.org/a?b=1" title="Quoi ?">le guide</a> ; puis '
        "<code>x : y ; z ?</code> &amp; <em>concluez</em>!</p><pre>a ; b</pre>"
    )

    assert french_spacing(html) == (
        f'<p>Lisez <a href="https://x.org/a?b=1" title="Quoi ?">le guide</a>{N}; puis '
        f"<code>x : y ; z ?</code> &amp; <em>concluez</em>{N}!</p><pre>a ; b</pre>"
    )


def test_markdown_of_a_french_course_is_typeset_and_other_languages_are_not():
    text = "## Ce qui change : la méthode\n\nQuelles décisions prenez-vous ? Voir `a:b ; c`."

    french = render_markdown(text, "fr")
    english = render_markdown(text, "en")

    assert french == (
        f"<h3>Ce qui change{N}: la méthode</h3>\n"
        f"<p>Quelles décisions prenez-vous{N}? Voir <code>a:b ; c</code>.</p>\n"
    )
    assert N not in english
    assert render_markdown(text) == english


def test_the_filter_keeps_plain_text_plain_and_markup_markup():
    assert (
        typography("Séminaire 1 : trois jours à Rabat", "fr")
        == f"Séminaire 1{N}: trois jours à Rabat"
    )
    assert typography("<b>Quoi ?</b>", "fr") == f"<b>Quoi{N}?</b>"  # escaped where shown
    assert typography(Markup("<b>Quoi</b> ?"), "fr") == Markup(f"<b>Quoi</b>{N}?")
    assert typography("What : now ?", "en") == "What : now ?"
    assert typography(None, "fr") == ""
    assert [is_french(code) for code in ("fr", "fr-BE", "fr_MA", "FR", "en", "", None)] == [
        True, True, True, True, False, False, False,
    ]  # fmt: skip
