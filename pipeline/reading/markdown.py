"""Markdown works: headings are chapters, emphasis and links are read as their text.

Parsed with markdown-it-py (CommonMark). The spoken text is the document's paragraphs as plain
text, one blank line apart; ``FoundChapter`` offsets index into it. The chapter level is the
shallowest heading level used more than once (a lone ``#`` title above ``##`` chapters is the
book's title), and a level above it that is used more than once holds parts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from markdown_it import MarkdownIt
from markdown_it.token import Token
from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from pipeline.reading.book import Book, FoundChapter
from pipeline.reading.titles import tidy

_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?)\n(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.S)
_SKIPPED = {"contents": "contents", "table of contents": "contents", "copyright": "copyright",
            "title page": "title page"}
_HTML_TAG = re.compile(r"<[^>]+>")


@dataclass(frozen=True)
class _Para:
    text: str
    heading: int = 0  # 1-6 for a heading, 0 for other text


def read_markdown(source: str) -> Book:
    """A Markdown document as a Book: its plain text and its chapters."""
    meta, body = _front_matter(source)
    paras = _paragraphs(MarkdownIt("commonmark").parse(body))
    text, starts = _join(paras)
    chapter_level = _chapter_level(paras)
    lone = [i for i, p in enumerate(paras) if p.heading and p.heading < (chapter_level or 7)]
    title_at = lone[0] if lone == [0] else None  # a lone "# Title" above the chapters names the book
    chapters = _chapters(paras, starts, text, chapter_level, title_at)
    title = meta.get("title") or (paras[0].text if title_at is not None else None)
    return Book(text, chapters, title=title, author=meta.get("author"), language=meta.get("lang")
                or meta.get("language"), description=meta.get("description"), year=meta.get("date"))


def _chapter_level(paras: list[_Para]) -> int | None:
    """The shallowest heading level used more than once whose headings are not all containers
    (each followed at once by a deeper heading: those are parts)."""
    levels = [p.heading for p in paras if p.heading]
    for level in sorted(set(levels)):
        heads = [i for i, p in enumerate(paras) if p.heading == level]
        containers = [i for i in heads if i + 1 < len(paras) and paras[i + 1].heading > level]
        if len(heads) > 1 and len(containers) < len(heads):
            return level
    return max(levels) if len(levels) > 1 else None


def _front_matter(source: str) -> tuple[dict[str, str], str]:
    m = _FRONT_MATTER.match(source)
    if not m:
        return {}, source
    try:
        data = YAML(typ="safe").load(m.group(1))
    except YAMLError:
        return {}, source
    if not isinstance(data, dict):
        return {}, source
    meta = {str(k).lower(): str(v[0] if isinstance(v, list) and v else v) for k, v in data.items() if v}
    return meta, source[m.end():]


def _paragraphs(tokens: list[Token]) -> list[_Para]:
    out: list[_Para] = []
    heading = 0
    for tok in tokens:
        if tok.type == "heading_open":
            heading = int(tok.tag[1])
        elif tok.type == "heading_close":
            heading = 0
        elif tok.type == "inline":
            words = _inline_text(tok)
            if words:
                out.append(_Para(tidy(words) if heading else words, heading))
        elif tok.type in ("fence", "code_block", "html_block"):
            plain = _HTML_TAG.sub(" ", tok.content).strip()
            if plain:
                out.append(_Para(plain))
    return out


def _inline_text(tok: Token) -> str:
    """An inline run as plain text: emphasis and links as their words, images and HTML dropped."""
    parts: list[str] = []
    for child in tok.children or []:
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type == "softbreak" or child.type == "hardbreak":
            parts.append("\n")
        elif child.type == "html_inline":
            parts.append("")
    return re.sub(r"[ \t]+", " ", "".join(parts)).strip()


def _join(paras: list[_Para]) -> tuple[str, list[int]]:
    starts = []
    pieces = []
    pos = 0
    for p in paras:
        starts.append(pos)
        pieces.append(p.text)
        pos += len(p.text) + 2
    return "\n\n".join(pieces) + ("\n" if pieces else ""), starts


def _chapters(paras: list[_Para], starts: list[int], text: str, level: int | None, title_at: int | None,
              ) -> tuple[FoundChapter, ...]:
    heads = [i for i, p in enumerate(paras)
             if level is not None and p.heading and p.heading <= level and i != title_at]
    if not heads:
        return (FoundChapter("", 0, len(text), 0),)
    out: list[FoundChapter] = []
    first = starts[heads[0]]
    if first > 0:
        out.append(FoundChapter("Title page", 0, first, first, skip="title page"))
    part: str | None = None
    pending: int | None = None
    for n, i in enumerate(heads):
        a = pending if pending is not None else starts[i]
        b = starts[heads[n + 1]] if n + 1 < len(heads) else len(text)
        body = starts[i] + len(paras[i].text)
        if level is not None and paras[i].heading < level:
            part = paras[i].text
            if not text[body:b].strip():
                pending = a
                continue
        pending = None
        own = paras[i].text
        skip = _SKIPPED.get(own.lower().strip(" .:"))
        title = f"{part} — {own}" if part and paras[i].heading == level else own
        out.append(FoundChapter(title, a, b, body, skip=skip,  # type: ignore[arg-type]
                                part=part if paras[i].heading == level else None))
    return tuple(out)
