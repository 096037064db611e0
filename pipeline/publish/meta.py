"""What every file says about the anthology besides its own title: who wrote and who reads it,
the year, and the covers (the corpus's own, or drawn with the title), one per book too."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from pipeline.errors import CorpusError
from pipeline.fsutil import file_hash
from pipeline.layout import BuildLayout
from pipeline.model import Meta, Work
from pipeline.publish.cover import book_cover, book_cover_file, drawn_cover, find_cover, validate_cover
from pipeline.reading.corpus import Corpus

#: The narrator credit when corpus.yaml gives none: one name, with nothing a reader of tags
#: splits (",", "&", " and ") or drops as a nickname ("(...)").
DEFAULT_NARRATOR = "eSpeak NG synthetic voices"


def metadata(corpus: Corpus, build_dir: Path, warn: Callable[[str], None]) -> Meta:
    """The narrator credit, the year and the covers (the user's, or drawn with the title)."""
    layout = BuildLayout(build_dir)
    cover = find_cover(corpus.folder)
    if cover is not None:
        validate_cover(cover, warn)
    else:
        cover = drawn_cover(layout.cover, corpus.title, corpus.author, layout.cover_stamp)
    books = []
    seen: dict[Path, Work] = {}
    for work in corpus.works:
        if work.is_book:
            folder = layout.book_folder(work.author, work.title)
            if folder in seen:
                raise CorpusError(work.path, f"the same author and title as {seen[folder].path.name} "
                                              f"('{work.title}'); give one another title in corpus.yaml")
            seen[folder] = work
            own = book_cover(corpus.folder, work)
            if own is not None:
                validate_cover(own, warn)
            target = book_cover_file(layout, work, own)
            books.append((work.slug, target, file_hash(target)))
    narrator = corpus.narrator or DEFAULT_NARRATOR
    return Meta(title=corpus.title, author=corpus.author, works=len(corpus.works), narrator=narrator,
                year=corpus.year, cover=cover, cover_hash=file_hash(cover), book_covers=tuple(books))
