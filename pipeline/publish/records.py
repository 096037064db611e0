"""What a build remembers between runs: each story's timing (plan/state.py: which inputs made each output).

These records let a rebuild skip a story whose inputs did not change and still write a
complete manifest, captions and chapters for it.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pipeline.fsutil import atomic_open, output_error
from pipeline.layout import MANIFEST
from pipeline.model import ChapterAudio, Segment, TimedSegment, Work
from pipeline.publish.captions import NARRATOR, Cue
from pipeline.publish.timings import Sentence, sentences_from_json, sentences_json

TIMELINE_VERSION = 1


def timeline_json(audio: ChapterAudio) -> list[dict[str, Any]]:
    """A story's segments placed in time, as the manifest lists them."""
    return [
        {"kind": t.segment.kind, "speaker": t.segment.speaker, "voice": t.voice or None,
         "text": t.segment.text, "start": round(t.start, 3), "end": round(t.end, 3),
         "text_start": t.segment.start, "text_end": t.segment.end,
         "confidence": t.segment.confidence, "rule": t.segment.rule, "quote_id": t.segment.quote_id}
        for t in audio.timeline
    ]


def save_timing(path: Path, audio: ChapterAudio, extras: Sequence[Cue], sentences: Sequence[Sentence] = ()) -> None:
    with atomic_open(path) as fh:
        json.dump({"duration": audio.duration,
                   "times": [[t.start, t.end, t.voice] for t in audio.timeline],
                   "extras": [[c.start, c.end, c.text] for c in extras],
                   "sentences": sentences_json(sentences)}, fh)


def load_sentences(path: Path) -> tuple[Sentence, ...] | None:
    """The sentence timings saved with the story's timing, or None when the record has none
    (written before timings were kept) or is damaged."""
    return _sentences(_read(path))


def _read(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _sentences(data: Any) -> tuple[Sentence, ...] | None:
    try:
        return sentences_from_json(data["sentences"])
    except (KeyError, TypeError, ValueError):
        return None


def save_timeline(path: Path, work: Work, chapter: int, duration: float, sentences: Sequence[Sentence]) -> None:
    """A chapter file's sentences and words in time, beside its captions, for players and read-alongs:
    times in seconds from the start of the file, offsets into the work's text."""
    with atomic_open(path) as fh:
        json.dump({"version": TIMELINE_VERSION, "work": work.slug, "chapter": chapter,
                   "duration": round(duration, 4), "source": str(work.path),
                   "sentences": sentences_json(sentences)}, fh, ensure_ascii=False)


def load_timing(path: Path, work: Work, segments: Sequence[Segment]) -> tuple[ChapterAudio, list[Cue]] | None:
    """The timing saved when the story was last encoded, or None if it does not fit its segments."""
    return _timing(_read(path), work, segments)


def load_record(path: Path, work: Work, segments: Sequence[Segment],
                ) -> tuple[ChapterAudio, list[Cue], tuple[Sentence, ...]] | None:
    """The timing and the sentences, read in one go; None when either is missing or does not fit."""
    data = _read(path)
    timing, sentences = _timing(data, work, segments), _sentences(data)
    return None if timing is None or sentences is None else (*timing, sentences)


def _timing(data: Any, work: Work, segments: Sequence[Segment]) -> tuple[ChapterAudio, list[Cue]] | None:
    try:
        times = data["times"]
        if len(times) != len(segments):
            return None
        timeline = tuple(
            TimedSegment(segment=seg, voice=v, start=s, end=e)
            for seg, (s, e, v) in zip(segments, times, strict=True)
        )
        extras = [Cue(float(s), float(e), NARRATOR, str(t)) for s, e, t in data["extras"]]
        return ChapterAudio(work=work, duration=float(data["duration"]), timeline=timeline), extras
    except (ValueError, KeyError, TypeError):
        return None


def listed_files(manifest: dict[str, Any]) -> set[str]:
    """The names of the files in the build folder that a manifest lists."""
    names: set[Any] = {MANIFEST}
    anthology = manifest.get("anthology") or {}
    names |= {anthology.get("file"), anthology.get("mp3")}
    for entry in manifest.get("stories") or []:
        names.add(entry.get("file"))
        names |= set((entry.get("captions") or {}).values())
    for work in manifest.get("works") or []:
        names |= {work.get("file"), work.get("metadata")}
    for made in manifest.get("read_along") or []:
        names |= {made.get("epub"), made.get("page")}
    return {n for n in names if isinstance(n, str) and _inside(n)}


def _inside(name: str) -> bool:
    """A relative path that stays inside the build folder (a manifest is user-editable: trust nothing)."""
    path = Path(name)
    return bool(path.parts) and not path.is_absolute() and all(p not in ("", ".", "..") for p in path.parts)


def remove_outdated(build_dir: Path, old_manifest: Path, new: dict[str, Any]) -> list[str]:
    """Delete the outputs the previous build listed and this one does not (a story renamed or
    removed, another --format): players would show them as part of the book."""
    try:
        old = json.loads(old_manifest.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    if not isinstance(old, dict):
        return []
    gone = sorted(listed_files(old) - listed_files(new))
    for name in gone:
        try:
            (build_dir / name).unlink(missing_ok=True)
        except OSError as exc:  # a folder made where a file was, a read-only folder: say which
            raise output_error(build_dir / name, exc) from exc
    return gone
