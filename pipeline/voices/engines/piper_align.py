"""A Piper voice patched to give phoneme alignments, made once and kept in the user's cache folder.

piper.patch_voice_with_alignment marks one tensor of the model as an output, which gives
how many samples each phoneme lasts: the word and sentence marks of read-along. Patching
in memory on each load costs 408 MB (onnx holds the whole graph), so it is done once per
model, in a child process (the memory goes with it), under a lock (two workers starting
at once patch it once), and written atomically. A model that cannot be patched (already
patched, or of another shape) is used as it is: its clips then have no word marks.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import subprocess
import sys
from pathlib import Path

import platformdirs

from pipeline.voices.engines.piper_voices import VoiceFile, model_digest


def aligned_model(voice: VoiceFile) -> Path:
    """The patched copy of the voice's model, made on first use; the model itself if it cannot be."""
    folder = platformdirs.user_cache_path("audiobook", appauthor=False) / "piper-aligned"
    target = folder / f"{voice.id}-{model_digest(voice)[:16]}.onnx"
    unpatchable = target.with_suffix(".unpatchable")
    if target.is_file():
        return target
    if unpatchable.exists():
        return voice.model
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with (folder / ".lock").open("a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if not target.is_file() and not unpatchable.exists():
                _patch(voice.model, target, unpatchable)
    except OSError:  # a read-only cache: use the model without marks rather than fail the build
        return voice.model
    return target if target.is_file() else voice.model


def _patch(model: Path, target: Path, unpatchable: Path) -> None:
    tmp = target.with_name(f".{target.name}.{os.getpid()}")
    try:
        result = subprocess.run([sys.executable, "-c", "import sys; from pipeline.voices.engines.piper_align "
                                 "import patch; sys.exit(patch(sys.argv[1], sys.argv[2]))", str(model), str(tmp)],
                                capture_output=True, text=True, env={**os.environ, "PYTHONPATH": _package_root()})
        if result.returncode == 0:
            os.replace(tmp, target)
        elif result.returncode == 3:
            unpatchable.write_text(result.stderr[-500:], encoding="utf-8")
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink()


def patch(model: str, out: str) -> int:
    """Child-process side: write the patched model to ``out``; 3 when the model cannot be patched."""
    import onnx
    from piper.patch_voice_with_alignment import add_alignment_output

    graph = onnx.load(model)
    try:
        add_alignment_output(graph)
    except ValueError as exc:
        print(exc, file=sys.stderr)
        return 3
    onnx.save(graph, out)
    return 0


def _package_root() -> str:
    root = str(Path(__file__).resolve().parents[3])
    extra = os.environ.get("PYTHONPATH")
    return f"{root}{os.pathsep}{extra}" if extra else root
