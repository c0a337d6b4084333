"""Markdown from people, rendered to HTML that is safe to show to others."""

import nh3
from markdown_it import MarkdownIt
from markdown_it.token import Token

# Raw HTML in the Markdown is escaped by the parser; nh3 then keeps only these tags, so even
# a parser bug cannot let a script, an event handler or a `javascript:` link through.
_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")
ALLOWED_TAGS = {
    "a", "abbr", "blockquote", "br", "code", "em", "h1", "h2", "h3", "h4", "h5", "h6", "hr",
    "li", "ol", "p", "pre", "strong", "table", "tbody", "td", "th", "thead", "tr", "ul", "img",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title"}, "th": {"align"}}


def _demote_headings(tokens: list[Token]) -> list[Token]:
    """The page's title is its only <h1>: an author's `# Heading` becomes an <h2>, and so on."""
    for token in tokens:
        if token.type in ("heading_open", "heading_close"):
            token.tag = f"h{min(int(token.tag[1]) + 1, 6)}"
    return tokens


def render_markdown(text: str) -> str:
    tokens = _demote_headings(_markdown.parse(text))
    html = _markdown.renderer.render(tokens, _markdown.options, {})
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )
