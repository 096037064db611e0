"""eSpeak NG from a known state before every clip, so that the same text gives the same samples.

Why: eSpeak keeps its synthesiser's state in static variables (the echo buffer, the
flutter and wave phases, the command queue, its random seed, ...), so a clip's samples
depended on every clip the process had rendered before it (up to 39 ms in a story's length).

How: once eSpeak is initialised, ``Snapshot.take`` copies the library's writable static data
(its ``.data`` and ``.bss`` sections, found with pyelftools in the shared object and placed
with the address of one exported function); ``fresh_state()`` copies it back before a clip.
It then empties the command queue and sets the random seed. Left as they are:

- what owns memory on the heap (the translators, the voice list, grown buffers): restoring
  a pointer to memory freed since would crash. The voice is set again after the restore,
  which builds a new translator, so the translator's own state does not carry over either;
- the state of the threads eSpeak starts (``fifo.c``, ``event.c``: mutexes, conditions),
  which must never be rewound under a thread that may be waiting on them.

Needs the library's symbol table: the ``espeakng-loader`` wheel ships one. With a stripped
system library there is no reset (``available()`` is False) and the engine says so in its
version, which is part of every clip's cache key.
"""

from __future__ import annotations

import ctypes
import functools
import os
import struct
from dataclasses import dataclass
from pathlib import Path

#: Compilation units whose statics belong to eSpeak's own threads.
_THREAD_FILES = frozenset({"fifo.c", "event.c", "espeak_command.c", "crtstuff.c"})

#: Statics that own (or point into) heap memory, or count what such memory holds.
_HEAP_OWNERS = frozenset({
    "translator", "translator2", "translator3", "translator2_language", "translator3_language",
    "voices_list", "n_voices_list", "voices", "phon_out_buf", "phon_out_size", "namedata",
    "n_namedata", "soundicon_tab", "n_soundicon_tab", "sonicSpeedupStream", "speechPlayerHandle",
    "p_decoder", "digit_lookup", "n_digit_lookup", "__dso_handle", "DW.ref.__gxx_personality_v0",
})

#: Statics set after a restore. The command queue is emptied (what eSpeak's WcmdqStop does):
#: the snapshot's queue may hold a voice change whose copy on the heap was freed once applied.
#: The random seed (breath noise: variants f2, f3, whisper, ...) is seeded from the clock when
#: eSpeak starts, so it differs between processes: every clip starts from this one instead.
_SET = {"wcmdq_head": 0, "wcmdq_tail": 0, "espeak_rand_state": 20_250_101}

#: Set AUDIOBOOK_ESPEAK_RESET=0 to render without the reset (benchmarks/bench_build.py measures
#: its cost that way); clips rendered so are keyed apart from the others.
_SWITCH = "AUDIOBOOK_ESPEAK_RESET"


@dataclass(frozen=True)
class Layout:
    """Where the library's writable statics are, relative to where it is loaded."""

    start: int  # first address of .data (link-time)
    end: int  # one past the last address of .bss (link-time)
    keep: tuple[tuple[int, int], ...]  # (link-time address, size) of statics never restored
    assigned: tuple[tuple[int, int], ...]  # (link-time address, value) of int statics set after
    anchor: str  # an exported function, to find the load address
    anchor_value: int  # its link-time address


def enabled() -> bool:
    """False when the user (or a benchmark) turned the reset off."""
    return os.environ.get(_SWITCH, "1") != "0"


_STT_OBJECT, _STT_FUNC, _STT_FILE = 1, 2, 4  # ELF symbol types (st_info & 0xf)
_SYM64 = struct.Struct("<IBBHQQ")  # Elf64_Sym, little-endian: name, info, other, section, value, size


@functools.lru_cache(maxsize=4)
def read_layout(library: Path, anchor: str = "espeak_Synth") -> Layout | None:
    """The layout of ``library``'s statics, or None when it has no symbol table to find them by
    (or is no 64-bit little-endian ELF: pyelftools finds the sections, the symbols are read in
    one pass, 40 times faster than one object per symbol)."""
    from elftools.common.exceptions import ELFError
    from elftools.elf.elffile import ELFFile

    try:
        with library.open("rb") as f:
            elf = ELFFile(f)
            data, bss, symtab = (elf.get_section_by_name(n) for n in (".data", ".bss", ".symtab"))
            if data is None or bss is None or symtab is None or elf.elfclass != 64 or not elf.little_endian:
                return None
            start, end = data["sh_addr"], bss["sh_addr"] + bss["sh_size"]
            names, table = elf.get_section(symtab["sh_link"]).data(), symtab.data()
    except (OSError, ELFError):
        return None
    keep, assigned, anchor_value, unit = [], [], None, ""
    for at, info, _, _, value, size in _SYM64.iter_unpack(table[: len(table) // _SYM64.size * _SYM64.size]):
        kind, name = info & 0xF, names[at:names.index(b"\0", at)].decode("utf-8", "replace")
        if kind == _STT_FILE:
            unit = name
        elif kind == _STT_FUNC and name == anchor:
            anchor_value = value
        elif kind == _STT_OBJECT and start <= value < end and (
            unit in _THREAD_FILES or name.split(".")[0] in _HEAP_OWNERS or name.startswith("DW.ref.")
        ):
            keep.append((value, max(size, 1)))
        elif kind == _STT_OBJECT and name in _SET and size == ctypes.sizeof(ctypes.c_int):
            assigned.append((value, _SET[name]))
    if anchor_value is None or len(assigned) != len(_SET):
        return None
    return Layout(start, end, tuple(sorted(keep)), tuple(assigned), anchor, anchor_value)


class Snapshot:
    """The library's writable statics at one moment, to be put back before each clip."""

    def __init__(self, layout: Layout, base: int) -> None:
        self._layout = layout
        self._base = base
        # The stretches between the statics to keep, as (address, their bytes now): the kept
        # ones are never written, not even for a moment (eSpeak's thread may be waiting on them).
        self._spans: list[tuple[int, bytes]] = []
        at = layout.start
        for keep_at, size in (*layout.keep, (layout.end, 0)):
            if keep_at > at:
                self._spans.append((base + at, ctypes.string_at(base + at, keep_at - at)))
            at = max(at, keep_at + size)

    @classmethod
    def take(cls, dll: ctypes.CDLL, library: Path) -> Snapshot | None:
        """Copy the statics of ``dll`` (loaded from ``library``) now; None when they cannot be found."""
        layout = read_layout(library)
        if layout is None:
            return None
        anchor = ctypes.cast(getattr(dll, layout.anchor), ctypes.c_void_p).value
        if anchor is None:
            return None
        return cls(layout, anchor - layout.anchor_value)

    def restore(self) -> None:
        """Put every static back as it was, except those the layout says to keep."""
        for address, image in self._spans:
            ctypes.memmove(address, image, len(image))
        for at, number in self._layout.assigned:
            ctypes.c_int.from_address(self._base + at).value = number


class State:
    """This process's eSpeak reset: ``capture`` once after initialising, ``fresh_state`` before each clip."""

    def __init__(self) -> None:
        self._snapshot: Snapshot | None = None

    def capture(self, dll: ctypes.CDLL, library: Path | None) -> None:
        if library is not None and enabled():
            self._snapshot = Snapshot.take(dll, library)

    def available(self) -> bool:
        """True when every clip starts from the same state."""
        return self._snapshot is not None

    def fresh_state(self) -> None:
        """Put eSpeak back in the state it had right after initialising (no-op without a snapshot)."""
        if self._snapshot is not None:
            self._snapshot.restore()
