"""Who runs the render+encode stage: this machine's worker processes, or a Dask cluster.

The stage is the same either way: given every chapter's plan and the clips the cache lacks,
render them and encode each chapter whose inputs changed, and return every chapter in plan
order. Everything before (analysis, casting, planning) and after (books, anthology,
manifest) stays with the build, so a cluster build cannot drift from a local one.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Protocol

from pipeline.audio.synth import ClipCache, PlannedClip, Renderer, render_cost
from pipeline.audio.workers import Pool, warm_pool
from pipeline.model import VoiceSettings
from pipeline.plan.chapters import ChapterPlan, FileSettings
from pipeline.plan.state import BuildState
from pipeline.publish.encode import EncodedChapter, encode_chapters


@dataclass(frozen=True)
class StageWork:
    """What the render+encode stage is given, whoever runs it."""

    plans: Sequence[ChapterPlan]  # every chapter of the build, in order
    missing: Sequence[PlannedClip]  # the clips the cache lacks, each key once, as ``Executor.missing`` found them
    cache: ClipCache
    settings: FileSettings
    state: BuildState  # recorded as each chapter is written, so a build cut short resumes
    advance: Callable[[int], None]  # n clips rendered
    done: Callable[[EncodedChapter], None]  # one more chapter written or found up to date
    note: Callable[[str], None]  # something to tell the user (where the dashboard is)


class Executor(Protocol):
    def warmed(self, voices: Sequence[VoiceSettings]) -> contextlib.AbstractContextManager[None]:
        """Around the whole build: the renderers may start loading ``voices`` while the build reads
        and plans (a head start only: what they render does not depend on it)."""
        ...

    def missing(self, plans: Sequence[ChapterPlan], cache: ClipCache) -> list[PlannedClip]:
        """The clips to render, as far as the build needs to know before the stage starts (its
        progress counts them): every clip the cache lacks, or none when the stage finds them itself."""
        ...

    def run(self, work: StageWork) -> tuple[EncodedChapter, ...]:
        """Render and encode; every chapter of ``work.plans``, in their order."""
        ...


class LocalExecutor:
    """Worker processes on this machine render while threads here encode each chapter as soon
    as its own clips are in: the default, which needs nothing installed."""

    def __init__(self, jobs: int) -> None:
        self.jobs = jobs
        self._pool: Pool | None = None  # workers started by ``warmed``, for the stage's Renderer

    @contextlib.contextmanager
    def warmed(self, voices: Sequence[VoiceSettings]) -> Iterator[None]:
        # The workers load a Piper voice (half a second) while this process reads the works.
        with warm_pool(self.jobs, voices) as pool:
            self._pool = pool
            try:
                yield
            finally:
                self._pool = None

    def missing(self, plans: Sequence[ChapterPlan], cache: ClipCache) -> list[PlannedClip]:
        return cache.missing([c for p in plans for c in p.clips])

    def run(self, work: StageWork) -> tuple[EncodedChapter, ...]:
        order, queue = longest_first(work.plans, work.missing)
        pool, self._pool = self._pool, None  # one stage per pool: a Renderer shuts its pool down
        with Renderer(work.cache, self.jobs, work.advance, pool) as renderer:
            # All rendering is queued up front, chapter by chapter; each chapter is encoded as
            # soon as its own clips are done, while the workers go on with the next.
            pending: dict[str, Future[int]] = {}
            for clips in queue:
                pending.update(renderer.submit(clips))
            return encode_chapters(work.plans, work.cache, work.settings, work.state, renderer, pending, work.done,
                                   order)


def longest_first(plans: Sequence[ChapterPlan], missing: Sequence[PlannedClip],
                  ) -> tuple[list[int], list[list[PlannedClip]]]:
    """The order to make the chapters in (indices into ``plans``) and, chapter by chapter in that
    order, the missing clips to queue for it.

    Chapters with nothing to render come first (they are ready now); then the work with the most
    to render, its chapters from the one with the most to the one with the least (its longest
    clips first), then the next work, down to the work with the least. A chapter is assembled
    and encoded (on this machine's cores too) while the workers render the ones after it, and a
    book's M4B joined while they render the next works: what is left once the last clip is in is
    the least work's shortest chapter, not the last chapter in the corpus's order (often a long
    one), and the workers end on short clips, together. Ties keep the plans' order: the same
    build, the same order.
    """
    cost = {c.key: render_cost(c.utterance.text, c.utterance.voice) for c in missing}
    left = [sum(cost.get(k, 0.0) for k in {c.key for c in p.clips}) for p in plans]
    work_left: dict[str, float] = {}
    for plan, chapter_left in zip(plans, left, strict=True):
        work_left[plan.work.slug] = work_left.get(plan.work.slug, 0.0) + chapter_left
    rank = {slug: n for n, slug in enumerate(sorted(work_left, key=lambda w: -work_left[w]))}
    order = sorted(range(len(plans)), key=lambda i: (left[i] > 0, rank[plans[i].work.slug], -left[i]))
    queued: set[str] = set()
    queue = []
    for i in order:
        mine = {c.key: c for c in plans[i].clips if c.key in cost and c.key not in queued}
        queued.update(mine)
        queue.append(sorted(mine.values(), key=lambda c: -cost[c.key]))
    return order, [q for q in queue if q]

