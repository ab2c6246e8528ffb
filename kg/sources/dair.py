"""The upstream DAIR.AI list: one Markdown file, newest week first, one table per week.

A section is ``## Top ML Papers of the Week (April 22 - April 28) - 2024`` (older sections omit
the year), then one row per paper. Three row styles appear over time:

- 2023-2024: ``| 1) **Short title** - description | [Paper](url), [Tweet](url) |``;
- 2025: ``| 1) Short title  Description ... <br>● highlight ... | [Paper](url), [Tweet](url) |``:
  no bold, the title ends at the first double space, highlights follow ``<br>●``;
- the odd malformed row: no number, no bold, a dash glued to the title, no links.

Every row becomes an entry, malformed or not; each week becomes one `Digest`. Titles are plain
text: Markdown escapes, emphasis, links and inline HTML are removed, and a title never runs into
its description.

A row broken over several lines (a line break inside a cell) is joined back into one. A file cut
short is refused where the layout tells: a last row without its closing ``|`` or its
links cell, a heading or a rule begun on the last line, a last week without rows, fewer weeks
than the contents list at the top names, or a last week that stops before the row number every
other week reaches. A cut exactly at the end of a row of a file without contents or numbering
cannot be told from a shorter digest.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from statistics import median

from kg.errors import DigestError
from kg.records import Digest, Entry, EntryKind, Link, LinkKind, WeekSource
from kg.sources.limits import MAX_ENTRY_CHARS
from kg.sources.links import URL_RE, classify
from kg.sources.text import clean, iso_week

__all__ = ["LANGUAGE", "NAME", "plain_text", "read", "sniff", "split_title"]

NAME = "dair"
LANGUAGE = "en"
_MONTHS = {
    m: i + 1
    for i, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ]
    )
    for m in names
}
_HEADING = re.compile(
    r"^#{1,4}\s*(?P<title>Top\s+(?:ML|AI|LLM)\s+Papers\s+of\s+the\s+Week.*)$", re.I
)
# [^\S\n]: white space within the line (\s* would rescan every blank line that follows)
_HEADING_ANYWHERE = re.compile(
    r"^[^\S\n]*#{1,4}\s*Top\s+(?:ML|AI|LLM)\s+Papers\s+of\s+the\s+Week", re.I | re.M
)
_ROW_ANYWHERE = re.compile(r"^[^\S\n]*\|", re.M)
_CONTENTS_LINE = re.compile(
    r"^[^\S\n]*[-*][^\S\n]*\[Top\s+(?:ML|AI|LLM)\s+Papers\s+of\s+the\s+Week[^\]\n]*\]\(",
    re.I | re.M,
)
_RANGE = re.compile(
    r"\(\s*(?P<m1>[A-Za-z]+)\.?\s+(?P<d1>\d{1,2})(?:,?\s*(?P<y1>\d{4}(?!\d)))?\s*[-–—~to]+\s*"
    r"(?:(?P<m2>[A-Za-z]+)\.?\s+)?(?P<d2>\d{1,2})(?:,?\s*(?P<y2>\d{4}(?!\d)))?\s*\)"
    r"(?:\s*[-–—,]\s*(?P<y>\d{4}(?!\d)))?"
)
# neither part spans another link's brackets: each match attempt stops at the next '[' or '(',
# so a row of a million '[' is read in one pass
_MD_LINK = re.compile(r"\[(?P<label>[^\[\]]*)\]\((?P<url>[^()\s]+)\)")
_NUMBER = re.compile(r"^\s*(?P<n>\d{1,3})\s*[).:]\s*")
# "**Title**", and bold typed with a shift missed: "*Title**", "*8Title**"
_LEADING_BOLD = re.compile(r"^(?:\*\*|\*8(?=\w)|\*)(?P<title>[^*]+?)\*\*")
# Where a title without bold ends: a double space (2025 rows) or a spaced dash (older rows).
_SEPARATOR = re.compile(r"\s{2,}|\s+[-–—]+\s+")
# ... or, where even that is missing, the word a description opens with ("Introduces ...").
_OPENER = re.compile(
    r"\s(?=(?:This|These) (?:paper|work|study|survey|report|position paper|technical report)\b"
    r"|(?:The authors|Researchers|Introduces|Proposes|Presents|Shows|Finds|Demonstrates|Explores"
    r"|Investigates|Provides|Develops|Builds|Surveys|Argues|Examines|Evaluates|Releases"
    r"|Describes|Discusses|Analyzes|Analyses)\b)"
)
_TITLE_LIMIT = 200  # past this, a "title" has run into its description
_MD_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!&|<>~])")
_INLINE_HTML = re.compile(
    r"</?(?:br|b|i|u|s|em|strong|sup|sub|span|a|code|small|del|ins|mark|p|div|img|font)\b[^<>]*>",
    re.I,
)
# a match starts only where a run of blanks starts: a long run is scanned once, not once per blank
_BREAK = re.compile(r"(?<![ \t])[ \t]*<br\s*/?>[ \t]*", re.I)
_EMPHASIS = re.compile(r"\*\*|__|(?<!\w)[*_](?=\w)|(?<=\w)[*_](?!\w)|`")
_CELL_SPLIT = re.compile(r"(?<!\\)\|")
_SEPARATOR_ROW = re.compile(r"^\|?[\s:|-]+\|?$")
# (each run of stars takes the spaces after it, so that no two runs of spaces meet: linear time)
_HEADER_ROW = re.compile(
    r"^\|\s*(?:\*+\s*)?paper\s*(?:\*+\s*)?\|\s*(?:\*+\s*)?links?\s*(?:\*+\s*)?\|?$", re.I
)


@dataclass
class _Section:
    title: str
    months: tuple[int, int] | None
    days: tuple[int, int] | None
    year: int | None
    rows: list[str] = field(default_factory=list)


def sniff(text: str) -> bool:
    return bool(_HEADING_ANYWHERE.search(text)) and bool(_ROW_ANYWHERE.search(text))


def _week_parts(title: str) -> tuple[tuple[int, int] | None, tuple[int, int] | None, int | None]:
    match = _RANGE.search(title)
    if not match:
        return None, None, None
    m1 = _MONTHS.get(match["m1"].lower())
    m2 = _MONTHS.get(match["m2"].lower()) if match["m2"] else m1
    if m1 is None or m2 is None:
        return None, None, None
    year = match["y"] or match["y1"] or match["y2"]
    return (m1, m2), (int(match["d1"]), int(match["d2"])), int(year) if year else None


def _arxiv_year(section: _Section, entries: tuple[Entry, ...]) -> int | None:
    """The year whose (month, day) lies closest to the median arXiv id of the section."""
    stamps = [
        (2000 + int(a[:2])) * 12 + int(a[2:4]) - 1
        for e in entries
        for a in e.arxiv_ids
        if re.match(r"^\d{4}\.", a)
    ]
    if not stamps or section.months is None:
        return None
    middle = median(stamps)
    base = int(middle // 12)
    month = section.months[0] - 1
    return min((base - 1, base, base + 1), key=lambda y: abs(y * 12 + month - middle))


def plain_text(markdown: str) -> str:
    """Markdown of a table cell as plain text: links become their labels, escapes, emphasis and
    inline HTML go, ``<br>`` is a line break."""
    text = _MD_LINK.sub(r"\g<label>", markdown)
    text = _BREAK.sub("\n", text)
    text = _INLINE_HTML.sub("", text)
    text = _EMPHASIS.sub("", text)
    return _MD_ESCAPE.sub(r"\1", text)


def split_title(cell: str) -> tuple[str, str]:
    """The title of a row's text and the description that follows it (Markdown, uncleaned)."""
    body = cell.strip()
    bold = _LEADING_BOLD.match(body)
    if bold:
        return bold["title"], body[bold.end() :]
    ends = [m for m in (_SEPARATOR.search(body), _OPENER.search(body)) if m]
    end = min(ends, key=lambda m: m.start(), default=None)
    if end is not None and end.start() <= _TITLE_LIMIT:
        return body[: end.start()], body[end.end() :]
    if len(body) <= _TITLE_LIMIT:
        return body, ""
    cut = body.rfind(" ", 0, 120)
    return body[: cut if cut > 0 else 120], body


def _title_text(markdown: str) -> str:
    return clean(plain_text(markdown)).strip("*_ ").rstrip(" -–—:;,")


def _cells(row: str) -> list[str]:
    return [c.strip() for c in _CELL_SPLIT.split(row.strip().strip("|"))]


def _row_number(row: str) -> int | None:
    number = _NUMBER.match(row.strip().lstrip("|"))
    return int(number["n"]) if number else None


def _cut_row(row: str) -> str | None:
    """Why a table row is cut short (no closing ``|``, fewer than 2 cells); None if whole."""
    if not row.endswith("|") or row.endswith("\\|"):
        return f"the last table row has no closing '|' ({row[:60]!r})"
    cells = len(_cells(row))
    if cells < 2:
        return f"the last table row has {cells} cell, a row has 2 ({row[:60]!r})"
    return None


def _cut_numbering(sections: list[_Section]) -> str | None:
    """Where every week but the last numbers its rows 1) to N), the last must reach N) too."""
    if len(sections) < 3:
        return None
    numbers = [[_row_number(row) for row in s.rows] for s in sections]
    whole = numbers[0]
    if not whole or whole != list(range(1, len(whole) + 1)):
        return None
    last = numbers[-1]
    if any(n != whole for n in numbers[1:-1]) or last != whole[: len(last)] or last == whole:
        return None
    return (
        f"every other week numbers its rows 1) to {len(whole)}), the last week "
        f"({sections[-1].title[:60]!r}) has {len(sections[-1].rows)} rows"
    )


def _cut(text: str, last: str, sections: list[_Section]) -> str | None:
    """Why a parsed file whose last line (a broken row joined) is `last` looks cut short (see
    the module docstring), or None."""
    if last.startswith("|"):
        reason = _cut_row(last)
        if reason:
            return reason
    if last.startswith("#") or last in ("-", "--"):
        return f"the file ends with a heading or a rule begun ({last[:60]!r})"
    if not sections[-1].rows:
        return f"the last week ({sections[-1].title[:60]!r}) has no rows"
    listed = len(_CONTENTS_LINE.findall(text))
    if listed > len(sections):
        return f"the contents list {listed} weeks, the file holds {len(sections)} of them"
    return _cut_numbering(sections)


def _row_entry(row: str, position: int) -> Entry:
    cells = _cells(row)
    linked = {i for i, c in enumerate(cells) if i and (_MD_LINK.search(c) or URL_RE.search(c))}
    link_cells = [c for i, c in enumerate(cells) if i in linked]
    text = " | ".join(c for i, c in enumerate(cells) if i not in linked) if linked else cells[0]
    links: list[Link] = []
    for cell in link_cells or cells:
        for match in _MD_LINK.finditer(cell):
            links.append(classify(match["url"], clean(match["label"])))
        for url in URL_RE.findall(_MD_LINK.sub("", cell)):
            links.append(classify(url))
    number = _NUMBER.match(text)
    if number:
        text = text[number.end() :]
    head, rest = split_title(text)
    title = _title_text(head)
    intro = clean(plain_text(rest).replace("\n", " ").lstrip(" -–—:;,"))
    labelled = [link for link in links if link.label and link.label.lower() != "tweet"]
    is_paper = (
        not links
        or any(link.kind in (LinkKind.ARXIV, LinkKind.PAPER) for link in links)
        or not labelled
    )
    return Entry(
        position=position,
        title_en=title or intro[:120] or f"row {position}",
        kind=EntryKind.PAPER if is_paper else EntryKind.ARTICLE,
        intro_en=intro or None,
        links=tuple(links),
    )


def _check_row_length(row: str, week: int, position: int, source: str) -> None:
    """A row is one entry: one longer than any entry may be is refused before it is parsed."""
    if len(row) > MAX_ENTRY_CHARS:
        raise DigestError(
            source,
            f"row {position} of week {week} is {len(row):,} characters long "
            f"(limit {MAX_ENTRY_CHARS:,}): not one paper's text",
        )


def _lines(text: str) -> Iterator[str]:
    """The file's lines, stripped, with a table row broken over several lines joined into one:
    a row cut short (see `_cut_row`) goes on over the lines that follow, up to the one that
    makes it whole, unless a blank line, a heading or another row comes first."""
    broken = ""
    for raw in text.splitlines():
        line = raw.strip()
        if broken:
            if line and not line.startswith(("|", "#")) and len(broken) <= MAX_ENTRY_CHARS:
                broken = f"{broken} {line}"
                if _cut_row(broken) is None:
                    yield broken
                    broken = ""
                continue
            yield broken
            broken = ""
        if line.startswith("|") and _cut_row(line) is not None:
            broken = line
        else:
            yield line
    if broken:
        yield broken


def read(text: str, source: str, checksum: str) -> list[Digest]:
    sections: list[_Section] = []
    last = ""
    for line in _lines(text):
        last = line or last
        heading = _HEADING.match(line)
        if heading:
            months, days, year = _week_parts(heading["title"])
            sections.append(_Section(clean(heading["title"]), months, days, year))
        elif sections and line.startswith("|"):
            if _SEPARATOR_ROW.match(line) or _HEADER_ROW.match(line):
                continue
            _check_row_length(line, len(sections), len(sections[-1].rows) + 1, source)
            sections[-1].rows.append(line)
    if not sections:
        raise DigestError(source, "no 'Top ML Papers of the Week' section")
    cut = _cut(text, last, sections)
    if cut:
        raise DigestError(source, f"truncated: {cut}")
    digests: list[Digest] = []
    newer: tuple[int, int] | None = None  # (year, month) of the previous, newer section
    for index, section in enumerate(sections, start=1):
        entries = tuple(_row_entry(row, n) for n, row in enumerate(section.rows, start=1))
        wraps = bool(section.months and section.months[1] < section.months[0])
        # a heading's year names the year the week ends in: "(December 30 - January 5) - 2025"
        year = section.year - 1 if section.year and wraps else section.year
        year = year or _arxiv_year(section, entries)
        if year is None and newer and section.months:
            year = newer[0] - 1 if section.months[0] > newer[1] else newer[0]
        start = end = None
        if year and section.months and section.days:
            try:
                start = date(year, section.months[0], section.days[0])
                end_year = year + 1 if wraps else year
                end = date(end_year, section.months[1], section.days[1])
            except ValueError:
                start = end = None
        if start and end and 5 <= (end - start).days <= 8:
            # a week runs Monday to Sunday; headings slip a day: a heading that starts on a
            # Monday names that week ("March 18 - March 25"), else the week of its last day
            # ("April 6 - April 13", "Jan 1-8")
            start, end = iso_week(start if start.weekday() == 0 else end)
        if start:
            newer = (start.year, start.month)
        digests.append(
            Digest(
                source=source,
                checksum=checksum,
                language=LANGUAGE,
                layout=NAME,
                title=section.title,
                week_start=start,
                week_end=end,
                week_source=WeekSource.HEADER if start else None,
                entries=entries,
                section=index,
            )
        )
    return digests
