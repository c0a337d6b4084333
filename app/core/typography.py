"""Typography of a text's own language, applied where the text is shown.

French sets a narrow no-break space (U+202F) before `;`, `:`, `?` and `!`, and inside « »,
so that the sign never starts a line and the spacing reads as French. Authors type an ordinary
space, a no-break space or none at all; `french_spacing` makes every one of them the narrow
no-break space. It changes only the text people read: never a tag or its attributes, nor what
is inside `code`, `pre`, `kbd`, `samp`, `script` or `style`, nor an address (`https://…`),
an HTML entity (`&amp;`) or a time or ratio such as 12:30.
"""

import re

from markupsafe import Markup

NNBSP = "\u202f"
_SPACES = " \u00a0\u202f\t"
_VERBATIM = frozenset({"code", "pre", "kbd", "samp", "script", "style"})

# Tags, comments and entities are copied as they are; the text between them is respaced.
_TOKEN = re.compile(r"<!--.*?-->|<[^>]*>|&(?:#\d+|#x[0-9a-fA-F]+|\w+);", re.S)
_TAG_NAME = re.compile(r"<\s*(/?)\s*([a-zA-Z][a-zA-Z0-9]*)")
# Addresses and e-mail addresses in running text keep their `:`, `?` and `!` as they are.
_ADDRESS = re.compile(r"(?:[a-zA-Z][a-zA-Z0-9+.-]*://|mailto:|www\.)[^\s<>«»\"]*[^\s<>«»\".,;:!?)]")
_OPENING = re.compile(rf"«[{_SPACES}]*")
_CLOSING = re.compile(rf"[{_SPACES}]*»")
# `;`, `?` and `!` (alone or as `?!`, `!!`, `…`), after a word, a closing sign or a digit.
_HIGH_SIGN = re.compile(rf"(?P<before>[^\s\u00a0\u202f«(\[])[{_SPACES}]*(?P<sign>[;?!]+)")
# `:` after a space always; right after a letter only if a space or the end follows (so
# `12:30`, `1:2`, `https:` and `a:b` stay as they are).
_SPACED_COLON = re.compile(rf"(?P<before>[^\s\u00a0\u202f«(\[])[{_SPACES}]+:")
_TIGHT_COLON = re.compile(r"(?P<before>[^\W\d_]|[)\]»\"”’*])(?=:(?:\s|$))")
# A sign that opens a text run (just after a tag) when an author left a space before it.
_LEADING_SIGN = re.compile(rf"^[{_SPACES}]+(?P<sign>[;:?!])")


def is_french(language: str | None) -> bool:
    """French in France, Belgium, Switzerland, Morocco… (`fr`, `fr-BE`, `fr_MA`)."""
    return bool(language) and re.split(r"[-_]", str(language))[0].lower() == "fr"


def _respace_words(text: str) -> str:
    text = _OPENING.sub("«" + NNBSP, text)
    text = _CLOSING.sub(NNBSP + "»", text)
    text = _HIGH_SIGN.sub(lambda m: m["before"] + NNBSP + m["sign"], text)
    text = _SPACED_COLON.sub(lambda m: m["before"] + NNBSP + ":", text)
    text = _TIGHT_COLON.sub(lambda m: m["before"] + NNBSP, text)
    return text


def _respace(text: str, after_word: bool) -> str:
    """One run of text between tags; `after_word` says the run follows a word (`<em>mot</em>?`
    or an address), so a sign at its start belongs to that word."""
    pieces: list[str] = []
    last = 0
    for address in _ADDRESS.finditer(text):
        pieces.append(_respace_run(text[last : address.start()], after_word))
        pieces.append(address.group())
        last, after_word = address.end(), True
    pieces.append(_respace_run(text[last:], after_word))
    return "".join(pieces)


def _respace_run(text: str, after_word: bool) -> str:
    if not text:
        return text
    if after_word:
        if text[0] in ";?!" or (text[0] == ":" and (len(text) == 1 or text[1].isspace())):
            text = NNBSP + text
        text = _LEADING_SIGN.sub(lambda m: NNBSP + m["sign"], text)
    return _respace_words(text)


def french_spacing(html: str) -> str:
    """The HTML (or plain text) with French spacing in its text; idempotent."""
    out: list[str] = []
    verbatim: list[str] = []
    after_word = False
    last = 0
    for token in _TOKEN.finditer(html):
        text = html[last : token.start()]
        if text:
            out.append(text if verbatim else _respace(text, after_word))
            after_word = not text[-1].isspace()
        piece = token.group()
        out.append(piece)
        last = token.end()
        if piece.startswith("&"):
            after_word = True
            continue
        name = _TAG_NAME.match(piece)
        if name is None:
            continue
        closing, tag = name[1] == "/", name[2].lower()
        if tag in _VERBATIM:
            if closing and verbatim and verbatim[-1] == tag:
                verbatim.pop()
            elif not closing and not piece.rstrip().endswith("/>"):
                verbatim.append(tag)
        if tag in {"p", "li", "br", "td", "th", "div", "h1", "h2", "h3", "h4", "h5", "h6"}:
            after_word = False
    text = html[last:]
    if text:
        out.append(text if verbatim else _respace(text, after_word))
    return "".join(out)


def typography(text: str | None, language: str | None) -> str:
    """A text as typeset in its language (a Jinja filter: `{{ title|typography(lang) }}`).
    Plain text stays plain text, to be escaped where shown; Markup stays Markup."""
    if not text or not is_french(language):
        return text or ""
    if isinstance(text, Markup):
        return Markup(french_spacing(str(text)))
    return _respace(str(text), after_word=False)
