"""Pages rendered through Jinja: an entity or paper page as HTML (in a site, or as one
self-contained report) or as Markdown; the site's index and lists.

Every text from the graph goes through autoescaping (HTML) or Markdown escaping; in a site
every name links to its page and every arXiv id to arXiv.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache
from importlib import resources
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from kg.errors import UnknownNameError
from kg.explore.kinds import KINDS
from kg.explore.records import Evidence, Node
from kg.site.pages import EntityPage, PaperPage
from kg.view.embed import CSP, raw_text

__all__ = [
    "FORMATS",
    "SITE_CSP",
    "Linker",
    "render_page",
    "render_template",
    "site_css",
    "site_script",
]

FORMATS = ("md", "html")
SITE_CSP = (
    "default-src 'none'; style-src 'self' 'unsafe-inline'; script-src 'self'; img-src data:; "
    "base-uri 'none'; form-action 'none'"
)
"""Pages of a site load their style (and the index its search) from the site's own folder."""
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|#])")

Linker = Callable[[Node], str | None]
"""Where a node's page is, relative to the page being written; None when it has none."""


def _no_links(_: Node) -> None:
    return None


def _markdown(value: object) -> str:
    """Text safe inside Markdown and its tables: specials and HTML brackets backslashed."""
    return _MD_SPECIAL.sub(r"\\\1", " ".join(str(value).split()))


def _code(value: object) -> str:
    """Text safe inside a Markdown code span in a table."""
    return " ".join(str(value).split()).replace("`", "'").replace("|", "\\|")


def _shorten(text: str, limit: int = 90) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _arxiv_md(node: Node) -> str:
    return f"[{node.arxiv}]({node.arxiv_url})" if node.arxiv else ""


def _evidence_md(evidence: Evidence | None) -> str:
    if evidence is None:
        return "no recorded evidence"
    parts = []
    if evidence.support is not None:
        parts.append(f"{evidence.support} digest{'' if evidence.support == 1 else 's'}")
    if evidence.confidence is not None:
        parts.append(f"confidence {evidence.confidence:.2f}")
    if evidence.methods:
        parts.append(", ".join(evidence.methods))
    text = " · ".join(parts)
    if evidence.snippet:
        text += f": “{_markdown(_shorten(evidence.snippet, 160))}”"
    return text


@cache
def _environment(fmt: str) -> Environment:
    env = Environment(
        loader=PackageLoader("kg.site", "templates"),
        autoescape=fmt == "html",
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(
        md=_markdown,
        code=_code,
        shorten=_shorten,
        raw_text=raw_text,
        arxiv_md=_arxiv_md,
        evidence_md=_evidence_md,
    )
    env.globals["kinds"] = KINDS
    return env


@cache
def site_css() -> str:
    """The style sheet of every page."""
    return resources.files("kg.site").joinpath("static", "site.css").read_text(encoding="utf-8")


@cache
def site_script() -> str:
    """The search script of the site's index page."""
    return resources.files("kg.site").joinpath("static", "search.js").read_text(encoding="utf-8")


def render_template(name: str, fmt: str = "html", **context: Any) -> str:
    """A template of ``kg/site/templates`` rendered with `context`."""
    return _environment(fmt).get_template(name).render(**context)


def render_page(
    page: EntityPage | PaperPage,
    fmt: str = "html",
    *,
    href: Linker = _no_links,
    site: dict[str, Any] | None = None,
    root: str = "",
) -> str:
    """A page as Markdown (``md``) or HTML (``html``): self-contained when `site` is None,
    else part of a site whose root is `root` (relative), names linked by `href`."""
    if fmt not in FORMATS:
        raise UnknownNameError("report format", fmt, list(FORMATS))
    template = "entity" if isinstance(page, EntityPage) else "paper"
    return render_template(
        f"{template}.{fmt}.j2",
        fmt,
        page=page,
        title=page.title,
        href=href,
        site=site,
        root=root,
        css=site_css(),
        csp=Markup(SITE_CSP if site else CSP),
        focus=page.profile.node.iri,
    )
