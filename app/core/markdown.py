"""Markdown from people, rendered to HTML that is safe to show to others."""

import html
import re
from functools import cache
from typing import TYPE_CHECKING

import nh3

from app.core.typography import french_spacing, is_french

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.token import Token

ALLOWED_TAGS = {
    "a", "abbr", "blockquote", "br", "code", "em", "h1", "h2", "h3", "h4", "h5", "h6", "hr",
    "li", "ol", "p", "pre", "strong", "table", "tbody", "td", "th", "thead", "tr", "ul", "img",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title"}, "th": {"align"}}


@cache
def _markdown() -> "MarkdownIt":
    """Raw HTML in the Markdown is escaped by the parser; nh3 then keeps only ALLOWED_TAGS, so
    even a parser bug cannot let a script, an event handler or a `javascript:` link through."""
    # Made on first use: markdown-it and its rules are not needed to start a worker.
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")


def _demote_headings(tokens: "list[Token]") -> "list[Token]":
    """The page's title is its only <h1>: an author's `# Heading` becomes an <h2>, and so on."""
    for token in tokens:
        if token.type in ("heading_open", "heading_close"):
            token.tag = f"h{min(int(token.tag[1]) + 1, 6)}"
    return tokens


def render_markdown(text: str, language: str | None = None) -> str:
    """Sanitised HTML; text in French (`language`, the content's own) gets French spacing."""
    markdown = _markdown()
    tokens = _demote_headings(markdown.parse(text))
    html = markdown.renderer.render(tokens, markdown.options, {})
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )
    return french_spacing(clean) if is_french(language) else clean


_LEADING_HEADING = re.compile(r"^\s*<h2>(.*?)</h2>\s*", re.DOTALL)
_TAG = re.compile(r"<[^>]+>")


def _plain(text: str) -> str:
    return " ".join(html.unescape(_TAG.sub("", text)).split()).casefold()


def without_title(body_html: str, title: str) -> str:
    """The rendered body less a first heading that only repeats the page's title (authors
    often start a page with `# Its title`, which would show the title twice). A Jinja filter:
    `{{ version.body_html|without_title(version.title)|safe }}`."""
    found = _LEADING_HEADING.match(body_html)
    if found is None or _plain(found.group(1)) != _plain(title):
        return body_html
    return body_html[found.end() :]
