"""Tags, covers and chapter marks, written into finished files with mutagen (ID3, MP4, Vorbis, RIFF)."""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mutagen import File as MutagenFile
from mutagen.flac import FLAC, Picture
from mutagen.id3 import (
    APIC,
    CHAP,
    COMM,
    CTOC,
    ID3,
    TALB,
    TCOM,
    TCON,
    TDRC,
    TIT2,
    TLAN,
    TPE1,
    TPE2,
    TRCK,
    TXXX,
    CTOCFlags,
    ID3NoHeaderError,
)
from mutagen.mp4 import MP4, MP4Cover, MP4FreeForm
from mutagen.oggopus import OggOpus
from mutagen.wave import WAVE


def clean_text(value: str) -> str:
    """User text made fit for a tag or chapter title: one line, no control characters."""
    return " ".join(re.sub(r"[\x00-\x1f\x7f]", " ", value).split())


#: Where readers of tags split one credit into several people (Audiobookshelf's parseNameString:
#: "&", then " and ", then ";", then ","), and what their name parser drops as a nickname: a
#: part in parentheses, brackets or quotation marks.
_NAME_SEPARATORS = re.compile(r"\s*(?:&|;|,|\band\b)\s*")
_NICKNAME = re.compile(r"\s*(?:\([^)]*\)|\[[^\]]*\]|\"[^\"]*\"|“[^”]*”|‘[^’]*’)")


def credit_names(credit: str) -> tuple[str, ...]:
    """The people a credit names, as readers of tags will read them: "Ann Lee and Tom Fox" ->
    ("Ann Lee", "Tom Fox"); "eSpeak NG voices (audiobook)" -> ("eSpeak NG voices",)."""
    names = [" ".join(_NICKNAME.sub(" ", n).split()) for n in _NAME_SEPARATORS.split(clean_text(credit))]
    return tuple(dict.fromkeys(n for n in names if n))


def credit_text(credit: str) -> str:
    """A credit written so that those readers get back the names it means: several joined by
    " & " (a comma would be taken for "Last, First" when a name is one word)."""
    return " & ".join(credit_names(credit)) or clean_text(credit)


def audio_seconds(path: Path) -> float:
    """How long a finished file plays, as its container says (what players show)."""
    audio = MutagenFile(str(path))
    return float(audio.info.length) if audio is not None else 0.0


@dataclass(frozen=True)
class Chapter:
    title: str
    start: float  # seconds from the start of the file
    end: float


@dataclass(frozen=True)
class Tags:
    """What a file says about itself; every string is user text and is cleaned when written."""

    title: str
    album: str
    artist: str  # the author
    track: int
    total: int
    narrator: str = "eSpeak NG voices via audiobook"
    year: str | None = None
    language: str | None = None  # BCP 47 ("en", "en-US")
    description: str | None = None
    cover: Path | None = None  # a JPEG or PNG to embed
    chapters: tuple[Chapter, ...] = ()  # written where the format has a place for them


def _cover_mime(path: Path) -> str:
    return "image/png" if path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" else "image/jpeg"


def id3_frames(id3: ID3, tags: Tags) -> None:
    """Fill an ID3 tag: text frames, cover (APIC) and chapters (CHAP + CTOC)."""
    id3.add(TIT2(encoding=3, text=clean_text(tags.title)))
    id3.add(TALB(encoding=3, text=clean_text(tags.album)))
    id3.add(TPE1(encoding=3, text=clean_text(tags.artist)))
    id3.add(TPE2(encoding=3, text=clean_text(tags.artist)))
    id3.add(TCOM(encoding=3, text=credit_text(tags.narrator)))  # where players look for the narrator
    id3.add(TXXX(encoding=3, desc="NARRATOR", text=credit_text(tags.narrator)))
    if tags.language:
        id3.add(TLAN(encoding=3, text=clean_text(tags.language)))
    if tags.description:
        id3.add(COMM(encoding=3, lang="eng", desc="", text=clean_text(tags.description)))
    id3.add(TRCK(encoding=3, text=f"{tags.track}/{tags.total}"))
    id3.add(TCON(encoding=3, text="Audiobook"))
    if tags.year:
        id3.add(TDRC(encoding=3, text=clean_text(tags.year)))
    if tags.cover is not None:
        id3.delall("APIC")
        id3.add(APIC(encoding=3, mime=_cover_mime(tags.cover), type=3, desc="Cover",
                     data=tags.cover.read_bytes()))
    id3.delall("CHAP")
    id3.delall("CTOC")
    if tags.chapters:
        ids = [f"chp{i}" for i in range(1, len(tags.chapters) + 1)]
        id3.add(CTOC(element_id="toc", flags=CTOCFlags.TOP_LEVEL | CTOCFlags.ORDERED,
                     child_element_ids=ids, sub_frames=[TIT2(encoding=3, text=clean_text(tags.album))]))
        for eid, ch in zip(ids, tags.chapters, strict=True):
            id3.add(CHAP(element_id=eid, start_time=round(ch.start * 1000), end_time=round(ch.end * 1000),
                         start_offset=0xFFFFFFFF, end_offset=0xFFFFFFFF,
                         sub_frames=[TIT2(encoding=3, text=clean_text(ch.title))]))


def tag_mp3(path: Path, tags: Tags) -> None:
    """Write ID3v2.3 tags (with cover and chapters) in place."""
    try:
        id3 = ID3(str(path))
    except ID3NoHeaderError:
        id3 = ID3()
    id3_frames(id3, tags)
    id3.save(str(path), v2_version=3)


def tag_mp4(path: Path, tags: Tags) -> None:
    """Write iTunes-style atoms (with cover, and marked as an audiobook) in place."""
    mp4 = MP4(str(path))
    if mp4.tags is None:
        mp4.add_tags()
    assert mp4.tags is not None
    mp4.tags.update({
        "\xa9nam": [clean_text(tags.title)], "\xa9alb": [clean_text(tags.album)],
        "\xa9ART": [clean_text(tags.artist)], "aART": [clean_text(tags.artist)],
        "\xa9wrt": [credit_text(tags.narrator)], "\xa9gen": ["Audiobook"],
        "trkn": [(tags.track, tags.total)], "stik": [2],
    })
    if tags.language:  # read back by ffprobe (and so Audiobookshelf) as the "language" tag
        mp4.tags["----:com.apple.iTunes:LANGUAGE"] = [MP4FreeForm(clean_text(tags.language).encode("utf-8"))]
    if tags.description:
        mp4.tags["desc"] = [clean_text(tags.description)]
    if tags.year:
        mp4.tags["\xa9day"] = [clean_text(tags.year)]
    if tags.cover is not None:
        fmt = MP4Cover.FORMAT_PNG if _cover_mime(tags.cover) == "image/png" else MP4Cover.FORMAT_JPEG
        mp4.tags["covr"] = [MP4Cover(tags.cover.read_bytes(), imageformat=fmt)]
    mp4.save()


def _picture(cover: Path) -> Picture:
    pic = Picture()
    pic.type = 3
    pic.mime = _cover_mime(cover)
    pic.desc = "Cover"
    pic.data = cover.read_bytes()
    return pic


def tag_vorbis(path: Path, tags: Tags, opus: bool) -> None:
    """Vorbis comments for FLAC and Opus, with the cover and CHAPTERxxx comments."""
    audio: FLAC | OggOpus = OggOpus(str(path)) if opus else FLAC(str(path))
    if audio.tags is None:
        audio.add_tags()
    comments: Any = audio.tags
    values = {"TITLE": tags.title, "ALBUM": tags.album, "ARTIST": tags.artist, "ALBUMARTIST": tags.artist,
                "COMPOSER": credit_text(tags.narrator), "PERFORMER": credit_text(tags.narrator), "GENRE": "Audiobook",
                "TRACKNUMBER": str(tags.track), "TRACKTOTAL": str(tags.total)}
    if tags.year:
        values["DATE"] = tags.year
    if tags.language:
        values["LANGUAGE"] = tags.language
    if tags.description:
        values["DESCRIPTION"] = tags.description
    for i, ch in enumerate(tags.chapters, start=1):
        h, rest = divmod(ch.start, 3600)
        m, s = divmod(rest, 60)
        values[f"CHAPTER{i:03d}"] = f"{int(h):02d}:{int(m):02d}:{s:06.3f}"
        values[f"CHAPTER{i:03d}NAME"] = ch.title
    for key, value in values.items():
        comments[key] = [clean_text(value)]
    if tags.cover is not None:
        if isinstance(audio, FLAC):
            audio.clear_pictures()
            audio.add_picture(_picture(tags.cover))
        else:
            comments["METADATA_BLOCK_PICTURE"] = [base64.b64encode(_picture(tags.cover).write()).decode("ascii")]
    audio.save()


def tag_wav(path: Path, tags: Tags) -> None:
    """ID3 in a RIFF chunk: what players that read WAV tags at all understand."""
    wav = WAVE(str(path))
    if wav.tags is None:
        wav.add_tags()
    assert isinstance(wav.tags, ID3)
    id3_frames(wav.tags, tags)
    wav.save(v2_version=3)


def write_tags(path: Path, tags: Tags, suffix: str | None = None) -> None:
    """Tag a finished file of any of our formats (by its suffix, or ``suffix`` for a temporary name)."""
    suffix = suffix or path.suffix
    if suffix == ".mp3":
        tag_mp3(path, tags)
    elif suffix in (".m4b", ".m4a"):
        tag_mp4(path, tags)
    elif suffix in (".flac", ".opus"):
        tag_vorbis(path, tags, opus=suffix == ".opus")
    elif suffix == ".wav":
        tag_wav(path, tags)
