"""Untrusted text embedded in a page stays text: JSON safe inside ``<script>``, raw text that
cannot close its element, and a check that a page loads nothing from the network.

Titles come from digests anyone can write (pyvis issue 92: ``</script>`` inside inlined JSON
ends the script element). The data travels in a ``<script type="application/json">`` block with
``<``, ``>``, ``&``, U+2028 and U+2029 escaped, and every page forbids remote loads in its
Content-Security-Policy.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from typing import Any

from markupsafe import Markup

__all__ = ["CSP", "raw_text", "remote_references", "script_json"]

CSP = (
    "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
    "img-src data:; font-src data:; connect-src 'none'; base-uri 'none'; form-action 'none'"
)
"""The Content-Security-Policy of a self-contained page: inline code only, nothing remote."""

_SCRIPT_JSON = str.maketrans(
    {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}
)
_REMOTE = re.compile(r"^\s*(?:https?:)?//", re.I)
_CSS_REMOTE = re.compile(
    r"(?:url\(\s*['\"]?|@import\s+(?:url\(\s*)?['\"]?)\s*(?:https?:)?//[^\s'\")]*", re.I
)
_URL_ATTRIBUTES = frozenset(
    {"src", "href", "srcset", "action", "formaction", "poster", "data", "background", "xlink:href"}
)
_FOLLOWED = frozenset(
    {
        "script",
        "link",
        "img",
        "iframe",
        "embed",
        "object",
        "source",
        "video",
        "audio",
        "track",
        "image",
        "use",
        "input",
        "form",
        "frame",
    }
)


def script_json(value: Any) -> Markup:
    """JSON that is safe inside a ``<script>`` element: no ``</script>``, ``<!--`` or U+2028."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return Markup(text.translate(_SCRIPT_JSON))


def raw_text(text: str, element: str) -> Markup:
    """Text (a library's script or style) safe inside a raw-text element: it cannot end the
    element early."""
    return Markup(re.sub(rf"</(?={element}\b)", r"<\\/", text, flags=re.I))


class _References(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._style = tag == "style"
        for name, value in attrs:
            if tag in _FOLLOWED and name in _URL_ATTRIBUTES and value and _REMOTE.match(value):
                self.found.append(f"<{tag} {name}={value!r}>")
            if name == "style" and value and _CSS_REMOTE.search(value):
                self.found.append(f"<{tag} style={value!r}>")

    def handle_endtag(self, tag: str) -> None:
        self._style = False

    def handle_data(self, data: str) -> None:
        if self._style:
            self.found.extend(m.group(0) for m in _CSS_REMOTE.finditer(data))


def remote_references(page: str) -> list[str]:
    """Every remote resource an HTML page would load by itself: http(s) or protocol-relative
    sources of scripts, styles, images and frames, and remote ``url()`` or ``@import`` in its
    styles. Links a reader may follow (``<a href>``) are not loads."""
    parser = _References()
    parser.feed(page)
    parser.close()
    return parser.found
