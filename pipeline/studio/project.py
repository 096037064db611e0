"""The project the studio shows: its works, each work's analysis, the cast and the chapter plans.

A work's analysis is what `audiobook script` prints (the same ``analyse`` on the same text and
pins); it runs in a worker process, so the server keeps answering, and is kept in the build's
analysis cache (``build/analysed.py``), which builds fill too: a book analysed or built once
opens at once the next time. Chapters are sent to the page one at a
time, as it opens them.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.errors import AudiobookError, PinError
from pipeline.model import GROUP, Analysis, Chapter, Segment, Work
from pipeline.plan.chapters import ChapterPlan, chapter_plan, work_segments
from pipeline.reading.corpus import Corpus, load_corpus
from pipeline.reading.paragraphs import paragraphs
from pipeline.speakers import analysed
from pipeline.speakers.analyse import is_unsure, strip_marks
from pipeline.speakers.pins import pins_path, pins_source
from pipeline.voices.cast import CastResult, cast_works
from pipeline.voices.casting import Casting

ABSENT = "absent"  # the hash of a file that does not exist (a work with no pins yet)


def file_hash(path: Path) -> str:
    """What the page read: the content hash of a file it may ask to change."""
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()[:20]
    except FileNotFoundError:
        return ABSENT


def analyse_job(text: str, pins_file: str, pins_source: str | None) -> dict[str, Any]:
    """Worker side: ``audiobook script``'s analysis of a text with the given pins, or the one line
    that says what is wrong with a pin (``{"error": ...}``: exceptions with context do not pickle)."""
    try:
        return analysed.to_json(analysed.analyse_with(text, Path(pins_file), pins_source))
    except AudiobookError as exc:
        return {"error": str(exc)}


@dataclass(frozen=True)
class Settings:
    """Where the project is: the same three places `audiobook build` takes."""

    corpus: Path
    voices: Path
    build_dir: Path


class Project:
    """The works of a corpus and what the studio learned about them; one per server."""

    def __init__(self, settings: Settings, pool: ProcessPoolExecutor | None = None) -> None:
        self.settings = settings
        self.pool = pool or ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"))
        self._corpus: tuple[str, Corpus] | None = None
        self._analyses: dict[str, tuple[str, Analysis]] = {}
        self._cast: tuple[tuple[str, ...], CastResult] | None = None
        # per work: (its analysis's key, its segments cut at its chapters, its paragraphs)
        self._prepared: dict[str, tuple[str, tuple[Segment, ...], Any]] = {}
        # per work: (what it was planned from, chapter -> plan)
        self._plans: dict[str, tuple[tuple[str, ...], dict[int, ChapterPlan]]] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    def close(self) -> None:
        self.pool.shutdown(cancel_futures=True)

    async def warm(self) -> None:
        """Analyse every work and cast them before the page asks (started with the server)."""
        self.pool.submit(int)  # the worker starts (and imports the pipeline) while the corpus is read
        with contextlib.suppress(AudiobookError, OSError):
            for work in (await asyncio.to_thread(self.corpus)).works:
                await self.analysis(work.slug)
            await self.casting()

    # ------------------------------------------------------------------ the corpus

    def _corpus_signature(self) -> str:
        """Names, sizes and times of the corpus files: a work edited by hand is read again."""
        parts = []
        for p in sorted(self.settings.corpus.iterdir()):
            with contextlib.suppress(OSError):
                st = p.stat()
                if not p.name.endswith(".speakers.yaml"):
                    parts.append(f"{p.name}:{st.st_size}:{st.st_mtime_ns}")
        return hashlib.sha256("|".join(parts).encode()).hexdigest()

    def corpus(self) -> Corpus:
        sig = self._corpus_signature()
        if self._corpus is None or self._corpus[0] != sig:
            self._corpus = (sig, load_corpus(self.settings.corpus))
        return self._corpus[1]

    def work(self, slug: str) -> Work:
        for work in self.corpus().works:
            if work.slug == slug:
                return work
        raise LookupError(f"no work {slug!r} in {self.settings.corpus}")

    def works(self) -> list[dict[str, Any]]:
        return [{"slug": s.slug, "title": s.title, "book": s.is_book,
                 "chapters": [{"number": c.number, "title": c.title} for c in s.chapters]}
                for s in self.corpus().works]

    # ------------------------------------------------------------------ analysis

    async def analysis(self, slug: str) -> Analysis:
        """The work's analysis with its pins as they are on disk now."""
        work = await asyncio.to_thread(self.work, slug)
        return await self.analysis_with(work, await asyncio.to_thread(pins_source, work.path))

    async def analysis_with(self, work: Work, pins_source: str | None, keep: bool = True) -> Analysis:
        """The analysis of ``story`` with the pin file reading ``pins_source``: from memory, from the
        disk cache, or computed in the worker process (raises PinError for a bad pin)."""
        key = analysed.analysis_key(work.text, pins_source)
        async with self._locks.setdefault(work.slug, asyncio.Lock()):
            held = self._analyses.get(work.slug)
            if held is not None and held[0] == key:
                return held[1]
            build_dir = self.settings.build_dir
            analysis = await asyncio.to_thread(analysed.read, build_dir, key)
            if analysis is None:
                data = await self._in_worker(work.text, str(pins_path(work.path)), pins_source)
                if "error" in data:
                    raise PinError(None, data["error"])
                analysis = analysed.from_json(data)
                await asyncio.to_thread(analysed.keep, build_dir, key, data)
            if keep:
                self._analyses[work.slug] = (key, analysis)
            return analysis

    async def _in_worker(self, *args: Any) -> dict[str, Any]:
        """``analyse_job`` in the worker process; a worker that died (out of memory, killed) is
        replaced once."""
        loop = asyncio.get_running_loop()
        try:
            return await loop.run_in_executor(self.pool, analyse_job, *args)
        except BrokenProcessPool:
            self.pool.shutdown(wait=False)
            self.pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"))
            return await loop.run_in_executor(self.pool, analyse_job, *args)

    # ------------------------------------------------------------------ cast and plans

    async def cast(self) -> CastResult:
        """voices.yaml as a build would cast the corpus (new speakers given voices), not written."""
        works = (await asyncio.to_thread(self.corpus)).works
        analyses = [await self.analysis(s.slug) for s in works]
        sig = (file_hash(self.settings.voices), *(self._analyses[s.slug][0] for s in works))
        if self._cast is None or self._cast[0] != sig:
            result = await asyncio.to_thread(cast_works, self.settings.voices, works, analyses, False)
            self._cast = (sig, result)
        return self._cast[1]

    async def casting(self) -> Casting:
        return (await self.cast()).casting

    async def voices_text(self) -> tuple[str, str]:
        """voices.yaml's hash on disk, and its text with every speaker cast: a knob of a character
        the file has no entry for yet is written into the entry a build would append."""
        result = await self.cast()
        assert self._cast is not None
        return self._cast[0][0], result.text

    async def prepared(self, slug: str) -> tuple[Work, Analysis, tuple[Segment, ...], Any]:
        """The work, its analysis, its segments cut at its chapters' edges and its paragraphs: all a
        chapter's script needs (no casting: a long book's first chapter shows before it is cast)."""
        work = await asyncio.to_thread(self.work, slug)
        analysis = await self.analysis(slug)
        key = self._analyses[slug][0]
        held = self._prepared.get(slug)
        if held is None or held[0] != key:
            cut = await asyncio.to_thread(lambda: (work_segments(work, analysis), paragraphs(work.text)))
            held = (key, *cut)
            self._prepared[slug] = held
        return work, analysis, held[1], held[2]

    async def segments(self, slug: str, number: int) -> tuple[Work, Analysis, tuple[Segment, ...]]:
        """A chapter's segments as a build reads them (the indices line audio is asked by)."""
        work, analysis, segments, _ = await self.prepared(slug)
        return work, analysis, _chapter(work, number).segments(segments)

    async def chapter(self, slug: str, number: int) -> ChapterPlan:
        """What a build says in one chapter of the work: its segments and its clips, with the cache keys
        a build uses. Only that chapter is planned: a long book's chapters are planned as they are opened."""
        work, analysis, segments, paras = await self.prepared(slug)
        chapter = _chapter(work, number)
        casting = await self.casting()
        assert self._cast is not None
        sig = (self._analyses[slug][0], *self._cast[0])
        held = self._plans.get(slug)
        if held is None or held[0] != sig:
            held = (sig, {})
            self._plans[slug] = held
        if number not in held[1]:
            held[1][number] = await asyncio.to_thread(chapter_plan, work, chapter, analysis, segments, casting, paras)
        return held[1][number]


def _chapter(work: Work, number: int) -> Chapter:
    if not 1 <= number <= len(work.chapters):
        raise LookupError(f"{work.slug} has no chapter {number}; it has {len(work.chapters)}")
    return work.chapters[number - 1]


def speakers_of(analysis: Analysis) -> list[str]:
    """The work's speakers, most lines first: the page colours them in this order."""
    chars = sorted((c for c in analysis.characters if c.lines and c.name != GROUP), key=lambda c: (-c.lines, c.name))
    return [c.name for c in chars]


def chapter_view(work: Work, chapter: Chapter, segments: tuple[Segment, ...], analysis: Analysis) -> dict[str, Any]:
    """A chapter as the page shows it: each line with its speaker, rule and confidence."""
    speakers = speakers_of(analysis)
    lines = []
    for i, seg in enumerate(segments):
        if not any(ch.isalnum() for ch in seg.text):
            continue
        lines.append({
            "i": i, "kind": seg.kind, "text": seg.text.strip() if seg.kind == "dialogue" else strip_marks(seg.text),
            "speaker": seg.speaker, "colour": speakers.index(seg.speaker) if seg.speaker in speakers else -1,
            "confidence": seg.confidence, "rule": seg.rule, "qid": seg.quote_id, "unsure": is_unsure(seg),
        })
    return {"work": work.slug, "chapter": chapter.number, "title": chapter.title, "lines": lines,
            "unsure": sum(1 for line in lines if line["unsure"]), "cast": cast_view(analysis)}


def cast_view(analysis: Analysis) -> list[dict[str, Any]]:
    out = []
    for i, name in enumerate(speakers_of(analysis)):
        char = next(c for c in analysis.characters if c.name == name)
        out.append({"name": name, "colour": i, "lines": char.lines, "gender": char.gender})
    return out


def line_of(plan: ChapterPlan, index: int) -> Segment:
    if not 0 <= index < len(plan.segments):
        raise LookupError(f"no line {index} in chapter {plan.chapter.number}")
    return plan.segments[index]

