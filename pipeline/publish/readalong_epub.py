"""An EPUB 3 with media overlays: the work's text and its audio in step, in any EPUB 3 reading
system with read-aloud (Thorium, Apple Books, BookFusion...).

One XHTML document per chapter, each sentence a span with an id; one SMIL 3.0 overlay per
chapter with a ``par`` per sentence (``text`` + ``audio clipBegin/clipEnd``) into the chapter's
AAC file, which the EPUB carries; ``media:duration`` for every overlay and the total, and
``media:active-class`` with its CSS, as EPUB 3.3's Media Overlays require. The speaker of a
quotation is its span's class and ``title``. The package passes EPUBCheck without a warning.
"""

from __future__ import annotations

import uuid
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from pipeline.clock import clock
from pipeline.fsutil import atomic_path
from pipeline.publish.readalong_text import (
    ReadAlongChapter,
    ReadAlongWork,
    chapter_paragraphs,
    speaker_css,
    timed,
)

ACTIVE_CLASS = "-epub-media-overlay-active"
CSS = f"""body {{ font-family: serif; line-height: 1.5; margin: 1em; }}
h1 {{ font-size: 1.4em; margin: 1.5em 0 1em; }}
p {{ margin: 0 0 0.8em; text-indent: 0; }}
.ra-q {{ font-style: normal; }}
.{ACTIVE_CLASS} {{ background-color: #fff176; color: #000; }}
"""


def _name(chapter: ReadAlongChapter) -> str:
    return f"chapter-{chapter.number:03d}"


def _xhtml(work: ReadAlongWork, chapter: ReadAlongChapter) -> str:
    body = "\n".join(chapter_paragraphs(work, chapter))
    lang = quoteattr(work.language)
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE html>
<html xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops" xml:lang={lang} lang={lang}>
<head><meta charset="UTF-8"/><title>{escape(chapter.title)}</title>
<link rel="stylesheet" type="text/css" href="style.css"/></head>
<body>
<section epub:type="chapter" aria-labelledby="c{chapter.number}-h">
<h1 id="c{chapter.number}-h">{escape(chapter.title)}</h1>
{body}
</section>
</body>
</html>
"""


def _smil(chapter: ReadAlongChapter, audio: str) -> str:
    doc = f"{_name(chapter)}.xhtml"
    pars = "\n".join(
        f'<par id="p{i}"><text src="{doc}#{sid}"/>'
        f'<audio src="{audio}" clipBegin="{clock(s.start, 3)}" clipEnd="{clock(s.end, 3)}"/></par>'
        for i, (sid, s) in enumerate(timed(chapter), 1) if s.end > s.start)
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<smil xmlns="http://www.w3.org/ns/SMIL" xmlns:epub="http://www.idpf.org/2007/ops" version="3.0">
<body>
<seq id="seq1" epub:textref="{doc}">
{pars}
</seq>
</body>
</smil>
"""


def _nav(work: ReadAlongWork) -> str:
    items = "\n".join(f'<li><a href="{_name(c)}.xhtml">{escape(c.title)}</a></li>' for c in work.chapters)
    lang = quoteattr(work.language)
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE html>
<html xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops" xml:lang={lang} lang={lang}>
<head><meta charset="UTF-8"/><title>{escape(work.title)}</title></head>
<body>
<nav epub:type="toc" id="toc"><h1>{escape(work.title)}</h1>
<ol>
{items}
</ol>
</nav>
</body>
</html>
"""


def _opf(work: ReadAlongWork, modified: str) -> str:
    ident = uuid.uuid5(uuid.NAMESPACE_URL, f"audiobook-pipeline:{work.slug}:{work.title}:{work.author}")
    meta, items, spine = [], [], []
    for c in work.chapters:
        n = _name(c)
        meta.append(f'<meta property="media:duration" refines="#mo-{n}">{clock(c.duration, 3)}</meta>')
        items.append(f'<item id="{n}" href="{n}.xhtml" media-type="application/xhtml+xml" media-overlay="mo-{n}"/>')
        items.append(f'<item id="mo-{n}" href="{n}.smil" media-type="application/smil+xml"/>')
        items.append(f'<item id="audio-{n}" href="audio/{n}.m4a" media-type="audio/mp4"/>')
        spine.append(f'<itemref idref="{n}"/>')
    total = clock(sum(c.duration for c in work.chapters), 3)
    nl = "\n"
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<package xmlns="http://www.idpf.org/2007/opf" version="3.0" unique-identifier="uid" xml:lang={quoteattr(work.language)}>
<metadata xmlns:dc="http://purl.org/dc/elements/1.1/">
<dc:identifier id="uid">urn:uuid:{ident}</dc:identifier>
<dc:title>{escape(work.title)}</dc:title>
<dc:creator>{escape(work.author)}</dc:creator>
<dc:language>{escape(work.language)}</dc:language>
<meta property="dcterms:modified">{modified}</meta>
<meta property="media:narrator">{escape(work.narrator)}</meta>
<meta property="media:active-class">{ACTIVE_CLASS}</meta>
<meta property="media:duration">{total}</meta>
{nl.join(meta)}
</metadata>
<manifest>
<item id="nav" href="nav.xhtml" media-type="application/xhtml+xml" properties="nav"/>
<item id="css" href="style.css" media-type="text/css"/>
{nl.join(items)}
</manifest>
<spine>
{nl.join(spine)}
</spine>
</package>
"""


CONTAINER = """<?xml version="1.0" encoding="UTF-8"?>
<container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">
<rootfiles><rootfile full-path="OEBPS/content.opf" media-type="application/oebps-package+xml"/></rootfiles>
</container>
"""


def write_epub(target: Path, work: ReadAlongWork) -> Path:
    """Write the work's read-along EPUB to ``target`` atomically."""
    modified = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    with atomic_path(target) as tmp, zipfile.ZipFile(tmp, "w") as z:
        # The mimetype first and stored: how a reading system knows the zip is an EPUB.
        z.writestr(zipfile.ZipInfo("mimetype"), "application/epub+zip", compress_type=zipfile.ZIP_STORED)
        deflate = zipfile.ZIP_DEFLATED
        z.writestr("META-INF/container.xml", CONTAINER, compress_type=deflate)
        z.writestr("OEBPS/content.opf", _opf(work, modified), compress_type=deflate)
        z.writestr("OEBPS/nav.xhtml", _nav(work), compress_type=deflate)
        z.writestr("OEBPS/style.css", CSS + speaker_css(work.speakers()) + "\n", compress_type=deflate)
        for c in work.chapters:
            n = _name(c)
            z.writestr(f"OEBPS/{n}.xhtml", _xhtml(work, c), compress_type=deflate)
            z.writestr(f"OEBPS/{n}.smil", _smil(c, f"audio/{n}.m4a"), compress_type=deflate)
            z.write(c.audio, f"OEBPS/audio/{n}.m4a", compress_type=zipfile.ZIP_STORED)  # AAC: already compressed
    return target
