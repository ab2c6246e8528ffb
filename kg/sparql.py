"""SPARQL text, read lexically: federation (``SERVICE``) detection, the query form, declared
prefixes, and parameters bound as ``VALUES`` blocks for servers that take no substitutions.

No parser is needed for these questions, only a faithful split of the text into IRIs, strings,
comments and code. The one lexical ambiguity of SPARQL is ``<``: an IRI opener, or the
less-than operator. Where it matters for safety (an IRI-looking span holding ``#``, which the
operator reading turns into a comment start), both readings are followed.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

import pyoxigraph as ox

__all__ = [
    "Token",
    "bind_values",
    "declared_prefixes",
    "is_update",
    "mentions_service",
    "query_form",
    "sparql_term",
    "tokens",
    "with_prefixes",
]

_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_NAME_CHARS = r"\w\-.\u00B7"
_LEXEME = re.compile(
    r"""
      (?P<space>\s+)
    | (?P<comment>\#[^\n\r]*)
    | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
    | (?P<string>\"\"\"(?:(?:\"|\"\")?(?:[^"\\]|\\[\s\S]))*\"\"\"
               | '''(?:(?:'|'')?(?:[^'\\]|\\[\s\S]))*'''
               | "(?:[^"\\\n\r]|\\[^\n\r])*"
               | '(?:[^'\\\n\r]|\\[^\n\r])*')
    | (?P<var>[?$][\w\u00B7]+)
    | (?P<number>\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)
    | (?P<word>(?:[^\W\d]|_)[NAME]*(?::(?:[NAME:%]|\\\S)*)?|:(?:[NAME:%]|\\\S)*)
    | (?P<punct>[\s\S])
    """.replace("NAME", _NAME_CHARS),
    re.VERBOSE,
)
_CODEPOINT = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_FORMS = ("SELECT", "CONSTRUCT", "ASK", "DESCRIBE")
_UPDATES = frozenset(
    {"INSERT", "DELETE", "DROP", "CLEAR", "LOAD", "CREATE", "ADD", "MOVE", "COPY", "WITH"}
)


@dataclass(frozen=True, slots=True)
class Token:
    """One lexeme of code: its kind (iri, string, var, number, word, punct), text and offset."""

    kind: str
    text: str
    start: int


def _lex(text: str, start: int, breaks: list[int] | None = None) -> Iterator[Token]:
    """Code tokens from `start` on (`breaks`: the offsets of line breaks, to skip comments in
    constant time)."""
    breaks = _line_breaks(text) if breaks is None else breaks
    position = start
    while position < len(text):
        if text[position] == "#":  # a comment runs to the end of its line
            position = breaks[bisect.bisect_left(breaks, position)]
            continue
        match = _LEXEME.match(text, position)
        assert match is not None and match.lastgroup is not None  # the last branch takes any char
        kind, lexeme = match.lastgroup, match.group()
        if kind == "word" and lexeme.endswith(".") and ":" in lexeme:
            lexeme = lexeme.rstrip(".")  # a prefixed name never ends with a dot
        if kind not in ("space", "comment"):
            yield Token(kind, lexeme, position)
        position += len(lexeme)


def _line_breaks(text: str) -> list[int]:
    return [m.start() for m in re.finditer(r"[\n\r]", text)] + [len(text)]


def tokens(text: str) -> list[Token]:
    """The code tokens of a query, comments and white space left out (``<`` read as an IRI
    opener wherever an IRI follows, as a longest-match lexer does)."""
    return list(_lex(text, 0))


def _unescaped(text: str) -> str:
    """The text with ``\\uXXXX`` code point escapes applied (the SPARQL 1.1 pre-pass)."""

    def codepoint(match: re.Match[str]) -> str:
        value = int(match.group(1) or match.group(2), 16)
        return chr(value) if value < 0x110000 and not 0xD800 <= value < 0xE000 else match.group()

    return _CODEPOINT.sub(codepoint, text)


def _service_in(text: str) -> bool:
    pending = [0]
    visited: set[int] = set()
    breaks = _line_breaks(text)
    while pending:
        for token in _lex(text, pending.pop(), breaks):
            if token.start in visited:
                break
            visited.add(token.start)
            if token.kind == "word" and token.text[:7].upper() == "SERVICE":
                return True
            if token.kind == "iri" and "#" in token.text:
                pending.append(token.start + 1)  # the other reading: '<' as less-than
    return False


def mentions_service(text: str) -> bool:
    """Whether any reading of the query holds the ``SERVICE`` keyword (federation).

    Conservative: a word starting with SERVICE anywhere in code counts (so does a prefixed name
    whose prefix starts so); strings, IRIs, variables and comments do not. The text is read
    both as written and after the code point pre-pass.
    """
    return _service_in(text) or _service_in(_unescaped(text))


def query_form(text: str) -> str:
    """SELECT, CONSTRUCT, ASK or DESCRIBE: the form of a query ('' when there is none)."""
    for token in _lex(text, 0):
        if token.kind == "word" and token.text.upper() in _FORMS:
            return token.text.upper()
    return ""


def is_update(text: str) -> bool:
    """Whether the text is a SPARQL Update: the first word after its prologue (``PREFIX name:
    <iri>``, ``BASE <iri>``) starts an update operation."""
    declaration = 0  # tokens still to pass of a PREFIX or BASE declaration
    for token in _lex(text, 0):
        word = token.text.upper() if token.kind == "word" else ""
        if declaration:
            declaration -= 1
        elif word in ("PREFIX", "BASE"):
            declaration = 2 if word == "PREFIX" else 1
        else:
            return word in _UPDATES
    return False


def declared_prefixes(text: str) -> set[str]:
    """The prefix names a query declares itself (``PREFIX name: <iri>``)."""
    found: set[str] = set()
    previous = ""
    for token in _lex(text, 0):
        if previous == "PREFIX" and token.kind == "word" and token.text.endswith(":"):
            found.add(token.text[:-1])
        previous = token.text.upper() if token.kind == "word" else ""
    return found


def with_prefixes(text: str, prefixes: Mapping[str, str] | None) -> str:
    """The query preceded by a declaration of each given prefix it does not declare itself."""
    if not prefixes:
        return text
    own = declared_prefixes(text)
    lines = [f"PREFIX {name}: {sparql_term(ox.NamedNode(iri))}" for name, iri in prefixes.items()]
    return "\n".join(
        line for name, line in zip(prefixes, lines, strict=True) if name not in own
    ) + ("\n" + text)


def _escape(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    for char, escape in (("\n", "\\n"), ("\r", "\\r"), ("\t", "\\t"), ("\b", "\\b"), ("\f", "\\f")):
        escaped = escaped.replace(char, escape)
    return f'"{escaped}"'


def sparql_term(term: object) -> str:
    """A term as SPARQL 1.1 text, safe to place in a query: ``<iri>`` or a quoted literal."""
    if isinstance(term, ox.NamedNode):
        text = f"<{term.value}>"
        if not re.fullmatch(r'<[^<>"{}|^`\\\x00-\x20]*>', text):
            raise ValueError(f"{term.value!r} cannot be written as a SPARQL IRI")
        return text
    if isinstance(term, ox.Literal):
        if term.language:
            return f"{_escape(term.value)}@{term.language}"
        if term.datatype.value == _XSD_STRING:
            return _escape(term.value)
        return f"{_escape(term.value)}^^{sparql_term(term.datatype)}"
    raise ValueError(f"{term!r} cannot be bound in a SPARQL 1.1 query (IRIs and literals only)")


def _group_end(code: list[Token], opening: int) -> int:
    depth = 0
    for index in range(opening, len(code)):
        if code[index].text == "{":
            depth += 1
        elif code[index].text == "}":
            depth -= 1
            if depth == 0:
                return index
    raise SyntaxError("unbalanced braces in the query")


def _where_opening(code: list[Token], after: int) -> int | None:
    """The index of the ``{`` opening the WHERE group of the query form at `after`."""
    parens = 0
    for index in range(after + 1, len(code)):
        token = code[index]
        if token.text == "(":
            parens += 1
        elif token.text == ")":
            parens -= 1
        elif token.text == "{" and parens == 0:
            return index
        elif token.text == "}":
            return None
    return None


def _projection(code: list[Token], select: int, opening: int) -> tuple[set[str], bool]:
    """The plain variables a SELECT projects (not those bound with AS), and whether it is *."""
    names: set[str] = set()
    parens = 0
    star = False
    for token in code[select + 1 : opening]:
        if token.text == "(":
            parens += 1
        elif token.text == ")":
            parens -= 1
        elif parens == 0 and token.kind == "var":
            names.add(token.text[1:])
        elif parens == 0 and token.text == "*":
            star = True
    return names, star


def bind_values(text: str, substitutions: Mapping[ox.Variable, object]) -> str:
    """The query with each variable bound to its term, as the pre-binding of SEP-0007 does:
    a ``VALUES`` block at the start of the WHERE group of the query and of every sub-SELECT
    that projects the variable. Raises RuntimeError, as Oxigraph does, for a variable the
    query does not project, and ValueError for a term SPARQL 1.1 cannot write.
    """
    if not substitutions:
        return text
    terms = {variable.value: sparql_term(term) for variable, term in substitutions.items()}
    names = list(terms)

    def block(subset: list[str]) -> str:
        variables = " ".join("?" + name for name in subset)
        return f" VALUES ({variables}) {{ ({' '.join(terms[n] for n in subset)}) }} "

    code = tokens(text)
    form = next(
        (i for i, t in enumerate(code) if t.kind == "word" and t.text.upper() in _FORMS), None
    )
    if form is None:
        raise SyntaxError("no SELECT, CONSTRUCT, ASK or DESCRIBE in the query")
    mentioned = {t.text[1:] for t in code if t.kind == "var"}
    insertions: list[tuple[int, str]] = []
    kind = code[form].text.upper()
    if kind == "CONSTRUCT" and form + 1 < len(code) and code[form + 1].text.upper() == "WHERE":
        opening = form + 2
        closing = _group_end(code, opening)
        template = text[code[opening].start : code[closing].start + 1]
        insertions.append((code[form].start + len(code[form].text), " " + template))
    elif kind == "CONSTRUCT":
        found = _where_opening(code, _group_end(code, form + 1))
        opening = -1 if found is None else found
    else:
        found = _where_opening(code, form)
        opening = -1 if found is None else found
    if opening < 0:
        raise SyntaxError(f"no WHERE group to bind {', '.join(names)} in")
    if kind == "SELECT":
        projected, star = _projection(code, form, opening)
        bound = {t.text[1:] for i, t in enumerate(code[form:opening]) if t.kind == "var"}
        for name in names:
            if name not in (mentioned if star else projected | bound):
                raise RuntimeError(
                    f"The SPARQL query does not contains variable ?{name} in its SELECT projection"
                )
    insertions.append((code[opening].start + 1, block(names)))
    for index in range(form + 1, len(code)):
        if code[index].kind == "word" and code[index].text.upper() == "SELECT":
            inner = _where_opening(code, index)
            if inner is None:
                continue
            projected, star = _projection(code, index, inner)
            if star:
                group = code[inner : _group_end(code, inner) + 1]
                projected = {t.text[1:] for t in group if t.kind == "var"}
            subset = [name for name in names if name in projected]
            if subset:
                insertions.append((code[inner].start + 1, block(subset)))
    for position, insertion in sorted(insertions, reverse=True):
        text = text[:position] + insertion + text[position:]
    return text
