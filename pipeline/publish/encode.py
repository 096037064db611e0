"""The assemble/encode stage: each chapter's clips streamed into its files, several chapters at once.

Only the chapters whose inputs changed are encoded; the others are read back from the
records of the build that made them, so the manifest and chapters stay complete.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from pipeline import formats
from pipeline.audio import assemble
from pipeline.audio.synth import ClipCache, PlannedClip, Renderer, WorkerCrashed
from pipeline.errors import AudiobookError, EngineError, OutputError
from pipeline.fsutil import NAME_BYTES, make_dirs, safe_name, slugify
from pipeline.model import GROUP, GROUP_LABEL, ChapterAudio, Meta, Segment
from pipeline.plan.chapters import LOUDNESS, MASTERING, ChapterPlan, FileSettings, book_folder
from pipeline.plan.options import BuildOptions, Profile
from pipeline.plan.state import BuildState
from pipeline.publish import export, records
from pipeline.publish.captions import NARRATOR, Cue, cues_of, write_captions
from pipeline.publish.tags import write_tags
from pipeline.publish.timings import ClipPlace, Sentence, clip_sentences
from pipeline.reading.paragraphs import line_number
from pipeline.voices import engine

#: Setbacks in writing a chapter (its output folder vanishing, or a clip lost again after it was rendered
#: again) before it is an error; a clip lost for the first time (the cache deleted by hand) is none.
_ATTEMPTS = 5
_QUOTES = "\"“”«»„"


@dataclass(frozen=True)
class OutputPaths:
    """The files one chapter plan makes."""

    audio: Path | None  # the chapter's file in the chosen format (None: a book chapter heard in the book's M4B)
    part: Path  # its AAC, joined into the book's M4B and the anthology (the audio itself when that is M4B)
    timing: Path  # the record of its timeline, for rebuilds that skip it
    vtt: Path
    srt: Path
    timeline: Path  # its sentences and words in time, for players and read-alongs (JSON)
    words: Path | None = None  # the word-level WebVTT, when asked for

    def captions(self, rel: Callable[[Path], str]) -> dict[str, str]:
        """The manifest's list of a chapter's caption and timing files (``rel`` names them)."""
        named = {"vtt": self.vtt, "srt": self.srt, "timeline": self.timeline, "words": self.words}
        return {k: rel(p) for k, p in named.items() if p is not None}

    def all(self) -> tuple[Path, ...]:
        paths = (self.audio, self.part, self.timing, self.vtt, self.srt, self.timeline, self.words)
        return tuple(p for p in paths if p is not None)

    @classmethod
    def of(cls, plan: ChapterPlan, options: BuildOptions) -> OutputPaths:
        # slugify keeps user titles from naming anything outside build_dir ('/', '..').
        build_dir, codec, work = options.build_dir, options.codec, plan.work
        parts = options.layout.parts
        if not work.is_book:
            name = f"{work.number:02d}-{slugify(work.title)}"
            audio = build_dir / f"{name}{codec.suffix}"
            stem = cache_name(work.slug)
            part = audio if codec is formats.M4B else parts / f"{stem}.m4a"
            return cls(audio, part, parts / f"{stem}.json", build_dir / f"{name}.vtt",
                       build_dir / f"{name}.srt", build_dir / f"{name}.timeline.json",
                       build_dir / f"{name}.words.vtt" if options.word_captions else None)
        folder = book_folder(build_dir, work)
        number = plan.chapter.number
        name = f"{number:02d} - {safe_name(plan.chapter.title)}"
        stem = f"{cache_name(work.slug)}-{number:03d}"
        chapter_file = folder / f"{name}{codec.suffix}" if options.chapter_files else None
        part = chapter_file if chapter_file is not None and codec is formats.M4B else parts / f"{stem}.m4a"
        return cls(chapter_file, part, parts / f"{stem}.json", folder / f"{name}.vtt", folder / f"{name}.srt",
                   folder / f"{name}.timeline.json", folder / f"{name}.words.vtt" if options.word_captions else None)


def cache_name(slug: str) -> str:
    """A work's name for its files in the cache: its slug (the file name less its suffix), cut
    with a hash when a long file name would make names the file system refuses."""
    return slug if len(slug.encode("utf-8")) <= NAME_BYTES else safe_name(slug)


@dataclass(frozen=True)
class EncodedChapter:
    """One chapter's files, written now or found up to date."""

    plan: ChapterPlan
    paths: OutputPaths
    audio: ChapterAudio
    announcements: tuple[Cue, ...]  # spoken but not in the text: the title, credits
    rebuilt: bool  # False when the previous output was still up to date
    rerendered: int  # clips rendered again because their cache entry was corrupt
    sentences: tuple[Sentence, ...] = ()  # every sentence spoken, with its words, placed in the file
    rendered: int = 0  # clips its own task found missing (a Dask worker's; locally they are counted up front)


class Cancelled(Exception):
    """Another chapter failed or the user pressed Ctrl-C: stop this one, leaving no output."""


@dataclass(frozen=True)
class _Job:
    """What every chapter's encoding shares."""

    cache: ClipCache
    options: BuildOptions
    settings: FileSettings
    state: BuildState
    renderer: Renderer
    pending: dict[str, Future[int]]
    stop: threading.Event
    separate: bool  # one encoder process per output (when there are fewer chapters than cores)
    done: Callable[[EncodedChapter], None]  # one more chapter done


def encode_chapters(
    plans: Sequence[ChapterPlan], cache: ClipCache, settings: FileSettings, state: BuildState,
    renderer: Renderer, pending: dict[str, Future[int]], done: Callable[[EncodedChapter], None],
    order: Sequence[int] | None = None,
) -> tuple[EncodedChapter, ...]:
    """Assemble and encode the chapters whose inputs changed, several at once, taken up in
    ``order`` (indices into ``plans``: the order their clips were queued in; by default, plan
    order); returned in plan order."""
    options = settings.options
    stale = sum(not _current(p, options, settings, state) for p in plans)
    job = _Job(cache, options, settings, state, renderer, pending, threading.Event(), stale < options.jobs, done)
    # Twice as many chapters in flight as cores: each chapter's encoders are mostly waiting on
    # each other, and with only one chapter per core the last one would finish on its own.
    pool = ThreadPoolExecutor(max_workers=max(1, min(options.jobs * 2, len(plans))))
    try:
        futures = {i: pool.submit(_one, plans[i], job) for i in (range(len(plans)) if order is None else order)}
        encoded = tuple(futures[i].result() for i in range(len(plans)))
    except BaseException as exc:
        job.stop.set()  # Ctrl-C or an error: the other chapters give up at once
        pool.shutdown(wait=True, cancel_futures=True)
        if isinstance(exc, WorkerCrashed):
            raise _crash_site(plans, exc) from exc
        raise
    pool.shutdown()
    return encoded


def _crash_site(plans: Sequence[ChapterPlan], crash: WorkerCrashed) -> EngineError:
    """The one line for a clip that kills the speech engine even alone: where its text is."""
    for plan in plans:
        for clip in plan.clips:
            if clip.key == crash.key:
                text = " ".join(plan.work.text[clip.text_start:clip.text_end].split()) or clip.utterance.text
                said = f"{text[:40]!r}{'...' if len(text) > 40 else ''}"
                line = line_number(plan.work.text, clip.text_start)
                return EngineError(f"{plan.work.path}:{line}: the speech engine crashed on {said} (a render "
                                   "worker died); reword or split that text, then build again")
    return EngineError(f"{crash}; build again")


def _paths(plan: ChapterPlan, options: BuildOptions) -> OutputPaths:
    return OutputPaths.of(plan, options)


def _current(plan: ChapterPlan, options: BuildOptions, settings: FileSettings, state: BuildState) -> bool:
    return (state.current(plan.key, plan.inputs_hash(settings))
            and all(p.exists() for p in _paths(plan, options).all()))


def _one(plan: ChapterPlan, job: _Job) -> EncodedChapter:
    job.renderer.wait({id(f): f for c in plan.clips if (f := job.pending.get(c.key)) is not None}.values(), job.stop)
    encoded = found_chapter(plan, job.settings, job.state)
    if encoded is None:
        encoded = _write(plan, _paths(plan, job.options), job)
        job.state.record(plan.key, plan.inputs_hash(job.settings))
    job.done(encoded)
    return encoded


def _write(plan: ChapterPlan, paths: OutputPaths, job: _Job) -> EncodedChapter:
    """Encode the chapter and keep its records (timing, timeline) for the builds after this one."""
    audio, rerendered, extras, sentences = _encode(plan, paths, job)
    records.save_timing(paths.timing, audio, extras, sentences)
    records.save_timeline(paths.timeline, plan.work, plan.chapter.number, audio.duration, sentences)
    return EncodedChapter(plan, paths, audio, tuple(extras), rebuilt=True, rerendered=rerendered,
                          sentences=sentences)


def _encode(plan: ChapterPlan, paths: OutputPaths, job: _Job,
            ) -> tuple[ChapterAudio, int, list[Cue], tuple[Sentence, ...]]:
    """Stream a chapter's clips into its file and AAC part, tagged, with captions; re-render corrupt clips."""
    rerendered = 0
    setbacks = 0  # attempts that got nowhere: an output folder deleted, or a clip corrupt again once redone
    redone: set[str] = set()
    while setbacks < _ATTEMPTS:
        cues: list[Cue] = []
        sentences: list[Sentence] = []
        folders = {p.parent for p in paths.all()}
        for folder in folders:  # build/cache/parts may have been deleted since the build began
            make_dirs(folder)  # a file in the way is one line, at once
        made = _identities(folders)
        try:
            audio = _stream(plan, paths, job, cues, sentences)
            break
        except (AudiobookError, OSError):  # OutputError, or ffmpeg's EngineError
            if _identities(folders) == made:
                raise
            # An output's folder was deleted while it was written (and maybe made again since,
            # by another chapter's thread): write it again.
            setbacks += 1
            continue
        except assemble.CorruptClip as bad:
            # A truncated or deleted cache entry (the cache may be gone altogether): render
            # what is missing again rather than stitch it in. In the workers, never here:
            # eSpeak keeps global state, and several chapters' threads may be doing this.
            # A cache being deleted as we read (`rm -rf` takes one folder at a time, slowly on a
            # busy machine) loses another clip at each attempt: only a clip lost again after it
            # was rendered again is a setback, so the chapter gets through however long it takes.
            setbacks += bad.key in redone
            redone.add(bad.key)
            job.cache.path(bad.key).unlink(missing_ok=True)
            again = job.renderer.submit(job.cache.missing(plan.clips))
            rerendered += job.renderer.wait(set(again.values()), job.stop)
    else:
        raise OutputError(f"{job.cache.folder}: clips keep turning out corrupt; delete the folder and build again")
    write_captions(paths.vtt, paths.srt, cues_of(sentences), paths.words)
    extras = [c for c, clip in zip(cues, plan.clips, strict=True) if clip.utterance.segment_index < 0]
    return audio, rerendered, extras, tuple(sentences)


def _identities(folders: set[Path]) -> dict[Path, tuple[int, int] | None]:
    """Each folder's (device, inode), None when it is gone: a folder deleted and made again differs."""
    out: dict[Path, tuple[int, int] | None] = {}
    for folder in folders:
        try:
            st = folder.stat()
            out[folder] = (st.st_dev, st.st_ino)
        except OSError:
            out[folder] = None
    return out


def _stream(plan: ChapterPlan, paths: OutputPaths, job: _Job, cues: list[Cue], sentences: list[Sentence],
            ) -> ChapterAudio:
    """One pass: clips through pydub into the encoders, a cue per clip, the sentences of each."""
    options = job.options
    duration = assemble.planned_seconds(job.cache, plan.clips)
    if options.profile is Profile.acx and duration > formats.ACX_MAX_MINUTES * 60:
        raise OutputError(
            f"{plan.work.path}: '{plan.chapter.title}' would last {duration / 60:.0f} minutes; ACX takes "
            f"at most {formats.ACX_MAX_MINUTES:.0f} per file. "
            "Split it in two at a paragraph (two files, or a new heading)")
    tags = chapter_tags(plan, job.settings.meta, duration)
    codec = options.codec
    outputs = []
    if paths.audio is not None:
        outputs.append(export.Output(paths.audio, codec, MASTERING,
                                     finalize=functools.partial(write_tags, tags=tags, suffix=codec.suffix)))
    if paths.part != paths.audio:
        outputs.append(export.Output(paths.part, formats.AAC, MASTERING))
    on_clip = _cue_maker(plan, cues)
    on_place = _sentence_maker(plan, job.cache, sentences)
    with export.encoders(outputs, separate=job.separate) as encs:

        def sink(data: bytes, encs: list[export.Encoder] = encs) -> None:
            if job.stop.is_set():
                raise Cancelled
            for enc in encs:
                enc.write(data)

        return assemble.assemble_chapter(
            plan.work, plan.segments, plan.clips, job.cache, sink,
            voice_names=lambda c: c.utterance.voice.label, loudness=LOUDNESS, on_clip=on_clip,
            on_place=on_place, by_loudness=job.settings.by_loudness,
        )


def chapter_tags(plan: ChapterPlan, meta: Meta, duration: float) -> export.Tags:
    """A chapter file's tags: a story is a track of the anthology; a book's chapter, a track of the book."""
    work = plan.work
    if work.is_book:
        album, artist = work.title, work.author or meta.author
        track, total = plan.chapter.number, len(work.chapters)
    else:
        album, artist, track, total = meta.title, meta.author, work.number, meta.works
    return export.Tags(title=plan.chapter.title, album=album, artist=artist, track=track, total=total,
                       narrator=meta.narrator, year=work.year or meta.year, cover=meta.cover_for(work),
                       language=work.language, chapters=(export.Chapter(plan.chapter.title, 0.0, duration),))


def _cue_maker(plan: ChapterPlan, cues: list[Cue]) -> assemble.ClipHook:
    """One cue per clip: a segment, or its piece within one paragraph; timed by sample counts."""
    labels = dict(plan.labels)
    speakers = {i: speaker_label(seg) for i, seg in enumerate(plan.segments)}

    def on_clip(clip: PlannedClip, start: float, end: float) -> None:
        idx = clip.utterance.segment_index
        if idx < 0:  # the title, the credits
            cues.append(Cue(start, end, NARRATOR, labels.get(clip.key, clip.utterance.text)))
        else:
            text = plan.work.text[clip.text_start:clip.text_end].strip().strip(_QUOTES).strip()
            cues.append(Cue(start, end, speakers[idx], text or clip.utterance.text))

    return on_clip


def _sentence_maker(plan: ChapterPlan, cache: ClipCache, sentences: list[Sentence]) -> assemble.PlaceHook:
    """Each clip's sentences and words, from its cached marks, placed where its samples landed."""
    labels = dict(plan.labels)
    speakers = {i: speaker_label(seg) for i, seg in enumerate(plan.segments)}

    def on_place(clip: PlannedClip, first: int, samples: int) -> None:
        idx = clip.utterance.segment_index
        place = ClipPlace(first, samples, engine.SAMPLE_RATE, clip.utterance.text)
        if idx < 0:  # the title, the credits: spoken, not in the text
            said = labels.get(clip.key, clip.utterance.text)
            sentences.extend(clip_sentences(place, None, said, (0, len(said)), NARRATOR, -1))
        else:
            sentences.extend(clip_sentences(place, cache.marks(clip.key), plan.work.text,
                                            (clip.text_start, clip.text_end), speakers[idx], idx))

    return on_place


def speaker_label(seg: Segment) -> str:
    """Who reads a segment, as captions name them."""
    if seg.kind != "dialogue":
        return NARRATOR
    return GROUP_LABEL if seg.speaker == GROUP else (seg.speaker or "Unknown speaker")


def found_chapter(plan: ChapterPlan, settings: FileSettings, state: BuildState) -> EncodedChapter | None:
    """The chapter as the build that made it left it, when its files are up to date; else None
    (a record from before sentence timings counts as out of date: the chapter is encoded again)."""
    if not _current(plan, settings.options, settings, state):
        return None
    paths = _paths(plan, settings.options)
    loaded = records.load_record(paths.timing, plan.work, plan.segments)
    if loaded is None:
        return None
    audio, extras, sentences = loaded
    return EncodedChapter(plan, paths, audio, tuple(extras), rebuilt=False, rerendered=0, sentences=sentences)


def encode_rendered(plan: ChapterPlan, cache: ClipCache, settings: FileSettings, separate: bool = False,
                    ) -> EncodedChapter:
    """Encode one chapter whose clips are in the cache, without a Renderer or the build state:
    a distributed worker's task (the client records the state as each chapter comes back)."""
    options = settings.options
    job = _Job(cache, options, settings, BuildState(options.build_dir), Renderer(cache, 1), {}, threading.Event(),
               separate=separate, done=lambda _e: None)
    return _write(plan, _paths(plan, options), job)
