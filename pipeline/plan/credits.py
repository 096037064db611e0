"""The credits' clips: spoken at the start and the end of the anthology (opening the first story's
file and closing the last one's), or as files of their own under ACX's rules."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from pathlib import Path

from pipeline.audio.credits import credit_clips, credit_segments, default_credits
from pipeline.audio.synth import PlannedClip
from pipeline.fsutil import slugify
from pipeline.model import DEFAULT_ENGINE, GROUP, Analysis, Work
from pipeline.plan.chapters import ChapterPlan
from pipeline.plan.options import BuildOptions, Profile
from pipeline.reading.corpus import Corpus
from pipeline.voices import engine
from pipeline.voices.casting import Casting


def with_credits(
    plans: Sequence[ChapterPlan], corpus: Corpus, casting: Casting, options: BuildOptions,
) -> tuple[ChapterPlan, ...]:
    """The plans with opening credits before the first story and closing credits after the last.

    By default they open the first story's file and close the last one's, so the files and
    the anthology's chapters stay one per story; ACX wants them as files of their own.
    """
    speakers = [s.speaker for p in plans for s in p.analysis.segments if s.kind == "dialogue" and s.speaker]
    used = [c.utterance.voice for p in plans for c in p.clips]
    voices = len({v.label for v in used})
    engines = [engine.engine(v.engine).title if v.engine == DEFAULT_ENGINE else
               f"{engine.engine(v.engine).title}'s {Path(v.voice).name.removesuffix('.onnx')}"
               for v in dict.fromkeys(sorted(used, key=lambda v: v.engine != DEFAULT_ENGINE))]
    default = default_credits(corpus.title, corpus.author, [s for s in speakers if s != GROUP], voices,
                              list(dict.fromkeys(engines)))
    opening = corpus.opening_credits or default.opening
    closing = corpus.closing_credits or default.closing
    if options.profile is Profile.acx:
        first, last = plans[0].work.number - 1, plans[-1].work.number + 1
        return (_credits_plan(opening, "Opening Credits", first, corpus, casting), *plans,
                _credits_plan(closing, "Closing Credits", last, corpus, casting))
    pauses = casting.pauses
    narrator = casting.narrator(None)
    head = credit_clips(opening, narrator, casting.lexicon, pauses.paragraph)
    tail = credit_clips(closing, narrator, casting.lexicon, pauses.paragraph, first_pause=pauses.chapter)
    out = list(plans)
    first_plan = out[0]
    # The story's title follows the credits after a chapter pause.
    title = dataclasses.replace(first_plan.clips[0], utterance=dataclasses.replace(
        first_plan.clips[0].utterance, pause_before=pauses.chapter))
    out[0] = dataclasses.replace(first_plan, clips=(*head, title, *first_plan.clips[1:]),
                                 labels=_labels(head, opening) + first_plan.labels)
    last_plan = out[-1]
    out[-1] = dataclasses.replace(last_plan, clips=(*last_plan.clips, *tail),
                                  labels=last_plan.labels + _labels(tail, closing))
    return tuple(out)


def _labels(clips: Sequence[PlannedClip], text: str) -> tuple[tuple[str, str], ...]:
    """Caption text for each credit clip: its paragraph as written, before the lexicon."""
    _, segments = credit_segments(text)
    return tuple((c.key, t) for c, t in zip(clips, [s.text for s in segments if s.text.strip()], strict=True))


def _credits_plan(text: str, title: str, number: int, corpus: Corpus, casting: Casting) -> ChapterPlan:
    """Credits as a file of their own: a tiny story with one narration segment per paragraph."""
    joined, segments = credit_segments(text)
    work = Work(slug=f"_{slugify(title)}", title=title, path=corpus.folder / "corpus.yaml", text=joined,
                  number=number)
    clips = credit_clips(text, casting.narrator(None), casting.lexicon, casting.pauses.paragraph, indexed=True)
    return ChapterPlan(work, work.chapters[0], Analysis(segments=tuple(segments)), tuple(segments), tuple(clips),
                       kind="credits")
