"""Opening and closing credits: what they say, and the clips that say it.

The text comes from ``credits:`` in corpus.yaml; by default it names the anthology,
its author, the tool and the voices that read it. The narrator's voice reads it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from pipeline.audio.synth import PlannedClip, apply_lexicon, clip_key
from pipeline.model import GROUP, Segment, Utterance, VoiceSettings
from pipeline.reading.paragraphs import paragraphs as find_paragraphs

TOOL = "audiobook, with {engines} voices"


@dataclass(frozen=True)
class Credits:
    opening: str
    closing: str


def _names(items: Sequence[str]) -> str:
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def default_credits(title: str, author: str, speakers: Sequence[str], voices: int,
                    engines: Sequence[str] = ("eSpeak NG",)) -> Credits:
    """Credits that name the anthology, its author, the tool, the engines and the voices used
    (``engines``: as they are named, e.g. "eSpeak NG", "Piper's en_US-joe-medium")."""
    cast = [s for s in dict.fromkeys(speakers) if s and s != GROUP][:8]
    # Not how many voices: recasting one character onto a voice the cast already has would change
    # these words, and re-render the credits with that character's lines.
    read_by = f"Read by a synthetic {_names(engines)} voice: a narrator" if voices == 1 else \
        f"Read by synthetic {_names(engines)} voices: a narrator"
    read_by += f", and the voices of {_names(cast)}." if cast else "."
    tool = TOOL.format(engines=_names(list(dict.fromkeys(e.split("'s ")[0] for e in engines))))
    opening = f"{title}. Written by {author}.\n\n{read_by}\n\nProduced with {tool}."
    closing = f"This has been {title}, written by {author}.\n\n{read_by}\n\nProduced with {tool}. The end."
    return Credits(opening, closing)


def paragraphs(text: str) -> list[str]:
    """The credits' paragraphs, by the rule stories follow, each on one line."""
    return [" ".join(text[p.start : p.end].split()) for p in find_paragraphs(text)]


def credit_segments(text: str) -> tuple[str, list[Segment]]:
    """The credits as a tiny 'story': one narration segment per paragraph."""
    joined = "\n\n".join(paragraphs(text))
    segments: list[Segment] = []
    pos = 0
    for para in paragraphs(text):
        start = joined.index(para, pos)
        if start > pos:  # the blank line between paragraphs: segments tile the text
            segments.append(Segment("narration", pos, start, joined[pos:start]))
        segments.append(Segment("narration", start, start + len(para), para))
        pos = start + len(para)
    return joined, segments


def credit_clips(text: str, voice: VoiceSettings, lexicon: dict[str, str], pause: float,
                 first_pause: float = 0.0, indexed: bool = False) -> list[PlannedClip]:
    """One clip per paragraph of ``text``; with ``indexed`` each names its segment of credit_segments."""
    _, segments = credit_segments(text)
    clips: list[PlannedClip] = []
    for i, seg in enumerate(segments):
        if not seg.text.strip():
            continue
        spoken = apply_lexicon(seg.text, lexicon)
        utt = Utterance(segment_index=i if indexed else -1, text=spoken, voice=voice,
                        pause_before=first_pause if not clips else pause, kind="narration")
        clips.append(PlannedClip(utt, clip_key(spoken, voice), seg.start, seg.end))
    return clips
