"""Authors' Markdown becomes HTML that is safe to show and fits under the page's own title."""

from app.core.markdown import render_markdown


def test_an_authors_headings_sit_below_the_page_title():
    html = render_markdown("# Welcome\n\n## Week one\n\n###### Small print")

    assert "<h1>" not in html
    assert "<h2>Welcome</h2>" in html
    assert "<h3>Week one</h3>" in html
    assert "<h6>Small print</h6>" in html


def test_scripts_handlers_and_javascript_links_do_not_survive():
    html = render_markdown(
        '<script>alert(1)</script> <img src=x onerror="alert(1)"> [click](javascript:alert(1))'
    )

    assert "<script" not in html
    assert "<img" not in html  # shown as text, never as an element with a handler
    assert 'href="javascript' not in html


def test_a_first_heading_that_repeats_the_page_title_is_dropped_once():
    from app.core.markdown import without_title

    html = render_markdown("# What is a *health* system?\n\nText.\n\n# What is a health system?")

    shown = without_title(html, "What is a health system?")

    assert shown.startswith("<p>Text.</p>")
    assert shown.count("<h2>") == 1  # a later heading, even the same words, stays
    assert without_title(html, "Another title") == html
    assert without_title("<p>No heading</p>", "No heading") == "<p>No heading</p>"
