"""Classify the URLs found in digests: arXiv, tweets, code repositories, other papers."""

from __future__ import annotations

import re
from urllib.parse import SplitResult, urlsplit

from kg.records import Link, LinkKind

__all__ = ["ARXIV_ID", "URL_RE", "classify", "find_urls", "normalise_arxiv_id"]

URL_RE = re.compile(r"https?://[^\s<>()\[\]|\"'`]+")

ARXIV_ID = (
    r"(?:0[7-9]|[1-9]\d)(?:0[1-9]|1[0-2])\.\d{4,5}"  # new style: YYMM.NNNNN, from April 2007 on
    r"|[a-z][a-z\-]*(?:\.[A-Z]{2})?/\d{7}"  # old style: archive(.SUBJECT)/YYMMNNN
)
"""An arXiv id without its version (a regex, not compiled): 2404.14219, cs/0112017."""
_ARXIV_PATH = re.compile(rf"^/(?:abs|pdf|html)/(?P<id>{ARXIV_ID})(?:v\d+)?(?:\.pdf)?/?$")
_TWEET_PATH = re.compile(r"^/(?P<account>[A-Za-z0-9_]{1,15})/status(?:es)?/(?P<id>\d{5,25})")
_ARXIV_VERSION = re.compile(r"v\d+$")
_TWEET_HOSTS = {"x.com", "twitter.com", "mobile.twitter.com", "mobile.x.com"}
_CODE_HOSTS = {"github.com", "gitlab.com", "bitbucket.org", "codeberg.org"}
_PAPER_HOSTS = {
    "biorxiv.org",
    "medrxiv.org",
    "openreview.net",
    "aclanthology.org",
    "proceedings.neurips.cc",
    "papers.nips.cc",
    "proceedings.mlr.press",
    "nature.com",
    "science.org",
    "dl.acm.org",
    "ieeexplore.ieee.org",
    "ssrn.com",
    "papers.ssrn.com",
    "arxiv.org",
    "semanticscholar.org",
}


def normalise_arxiv_id(raw: str) -> str:
    """Strip a version suffix and surrounding noise from an arXiv identifier."""
    return _ARXIV_VERSION.sub("", raw.strip().removesuffix(".pdf"))


def _split(url: str) -> SplitResult | None:
    """The parts of a URL, or None for one that does not parse (``https://[...``, a bad port)."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 -- raises ValueError for a port that is not a number
    except ValueError:
        return None
    return parts


def _host(parts: SplitResult) -> str:
    host = parts.netloc.lower().split("@")[-1].split(":")[0]
    return host.removeprefix("www.")


def classify(url: str, label: str | None = None) -> Link:
    """Turn a URL into a typed `Link`; the label is the anchor text where there is one.

    A URL that does not parse is kept as an `OTHER` link, whatever its label says.
    """
    url = url.strip().rstrip(".,;:")
    parts = _split(url)
    if parts is None:
        return Link(url, LinkKind.OTHER, label=label)
    host = _host(parts)
    if host in {"arxiv.org", "export.arxiv.org"}:
        match = _ARXIV_PATH.match(parts.path)
        if match:
            return Link(url, LinkKind.ARXIV, arxiv_id=normalise_arxiv_id(match["id"]), label=label)
    if host in _TWEET_HOSTS:
        match = _TWEET_PATH.match(parts.path)
        if match:
            return Link(
                url, LinkKind.TWEET, account=match["account"], status_id=match["id"], label=label
            )
    if label and label.strip().lower() == "paper":
        return Link(url, LinkKind.PAPER, label=label)
    if host in _CODE_HOSTS and parts.path.strip("/"):
        return Link(url, LinkKind.CODE, account=parts.path.strip("/").split("/")[0], label=label)
    if host in _PAPER_HOSTS or any(host.endswith("." + h) for h in _PAPER_HOSTS):
        return Link(url, LinkKind.PAPER, label=label)
    if label and label.strip().lower() == "paper":
        return Link(url, LinkKind.PAPER, label=label)
    return Link(url, LinkKind.OTHER, label=label)


def find_urls(text: str) -> list[str]:
    """All URLs in a piece of text, in order, without trailing punctuation."""
    return [m.group(0).rstrip(".,;:") for m in URL_RE.finditer(text)]
