"""Rich text cleaning with nh3: a small set of structural tags, no scripts, styles or images.

Images belong to a post as uploaded :class:`~dos.portal.content.models.PostImage` objects with a
required alt text, so ``<img>`` is not allowed in the text: that also rules out tracking pixels
and hot-linked images from other servers.
"""

from __future__ import annotations

import html as html_lib
import re

import nh3

ALLOWED_TAGS = frozenset(
    {
        "p", "br", "h2", "h3", "h4", "strong", "em", "b", "i", "u", "s", "sub", "sup",
        "blockquote", "ul", "ol", "li", "a", "abbr", "code", "pre", "hr",
        "table", "caption", "thead", "tbody", "tr", "th", "td", "figure", "figcaption",
    }
)  # fmt: skip

ALLOWED_ATTRIBUTES = {
    "a": {"href", "title", "hreflang"},
    "abbr": {"title"},
    "ol": {"start"},
    "th": {"scope", "colspan", "rowspan"},
    "td": {"colspan", "rowspan"},
}

URL_SCHEMES = frozenset({"http", "https", "mailto"})


def clean_html(html: str) -> str:
    """The safe subset of ``html``: unknown tags unwrapped, script/style dropped with content."""
    return nh3.clean(
        html or "",
        tags=set(ALLOWED_TAGS),
        attributes={tag: set(attrs) for tag, attrs in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(URL_SCHEMES),
        link_rel="noopener noreferrer",
        strip_comments=True,
    ).strip()


def plain_text(html: str) -> str:
    """The text of ``html`` without any markup (for search and feed summaries)."""
    # The cleaned markup is well-formed, so replacing each tag by a space is exact.
    text = _TAG.sub(" ", clean_html(html))
    return " ".join(html_lib.unescape(text).split())


_TAG = re.compile(r"<[^>]*>")
