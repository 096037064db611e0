"""Project Gutenberg's furniture around a book: where the book starts and ends, what the header
says of it, and the lines editors add that are not the author's text.

Gutenberg texts come in two shapes. Since about 2000 the book sits between ``*** START OF THE
PROJECT GUTENBERG EBOOK ... ***`` and ``*** END OF ...`` lines, with ``Title:`` and ``Author:``
in the header, and often an ``End of the Project Gutenberg EBook of ...`` line just before the
end marker. The etexts of the 1990s open with "The Project Gutenberg Etext of TITLE, by AUTHOR"
and a legal notice that ends ``*END*THE SMALL PRINT! ... *END*``, and close with "End of
(The) Project Gutenberg Etext of ...".
"""

from __future__ import annotations

import re

_START = re.compile(r"^\*{3}\s*START OF (?:THE|THIS) PROJECT GUTENBERG.*$", re.M | re.I)
_SMALL_PRINT_END = re.compile(r"^\*END\*THE SMALL PRINT!.*$", re.M | re.I)
_END = re.compile(r"^\*{3}\s*END OF (?:THE|THIS) PROJECT GUTENBERG.*$"
                  r"|^\s*End of (?:the )?Project Gutenberg(?:'s|’s)? .*$", re.M | re.I)
_TITLE = re.compile(r"^Title:\s*(.+)$", re.M)
_AUTHOR = re.compile(r"^Author:\s*(.+)$", re.M)
_LANGUAGE = re.compile(r"^Language:\s*(.+)$", re.M)
#: The languages Project Gutenberg names most, as BCP 47 tags.
_LANGUAGES = {"english": "en", "french": "fr", "german": "de", "spanish": "es", "italian": "it", "portuguese": "pt",
              "dutch": "nl", "latin": "la", "finnish": "fi", "swedish": "sv", "danish": "da", "norwegian": "no",
              "greek": "el", "russian": "ru", "polish": "pl", "hungarian": "hu", "czech": "cs", "chinese": "zh",
              "japanese": "ja", "esperanto": "eo", "welsh": "cy", "irish": "ga", "catalan": "ca", "tagalog": "tl"}
#: "The Project Gutenberg Etext of Wuthering Heights, by Emily Bronte" (the old header's first line)
_OF_BY = re.compile(r"Project Gutenberg(?:'s|’s)? (?:e-?text|e-?book) of (?P<title>.+?),? by (?P<author>[^\r\n]+)",
                    re.I)
#: Lines an editor adds: who produced the file, a transcriber's note, [Illustration: ...] marks.
_PRODUCED = re.compile(r"^(?:e-?text |html version )?(?:produced|prepared|transcribed|scanned)(?: by\b|:)", re.I)
_TRANSCRIBER = re.compile(r"^\W*(?:original )?(?:transcriber|editor|producer)(?:'s|’s|s'|s’)? notes?\b", re.I)


def body_span(text: str) -> tuple[int, int]:
    """Where the book itself starts and ends: after the header, before the licence."""
    start = _START.search(text) or _SMALL_PRINT_END.search(text, 0, len(text) // 2)
    end = _END.search(text, start.end() if start else 0)
    return (start.end() if start else 0), (end.start() if end else len(text))


def header_meta(header: str) -> tuple[str | None, str | None]:
    """The title and author a Gutenberg header gives."""
    title, author = _TITLE.search(header), _AUTHOR.search(header)
    if title or author:
        return (title.group(1).strip() if title else None), (author.group(1).strip() if author else None)
    m = _OF_BY.search(header)
    if m:
        return " ".join(m["title"].split()), m["author"].strip().rstrip("*").strip()
    return None, None


def header_language(header: str) -> str | None:
    """The language a Gutenberg header names ("Language: English" -> "en")."""
    m = _LANGUAGE.search(header)
    return _LANGUAGES.get(m.group(1).strip().lower()) if m else None


def is_editorial(text: str) -> bool:
    """A paragraph an editor added, not the author's text: "Produced by ...", an
    [Illustration: ...] or other bracketed note."""
    s = text.strip().strip("_*").strip()
    return bool(_PRODUCED.match(s)) or (s.startswith("[") and s.endswith("]"))


def is_transcribers_note(text: str) -> bool:
    """The heading (or first line) of a transcriber's note."""
    return bool(_TRANSCRIBER.match(text.strip().strip("_*[")))
