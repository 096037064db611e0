"""Why ffmpeg stopped, said so a user can act on it: from its message, or from the signal that killed it."""

from __future__ import annotations

import signal

from pipeline.publish.export import ffmpeg_failure


def test_a_size_limit_signal_is_named() -> None:
    why = ffmpeg_failure(-signal.SIGXFSZ, "")
    assert why.startswith("file too large") and "limit" in why


def test_a_full_disk_is_named_from_the_message() -> None:
    why = ffmpeg_failure(1, "[out#0/mp3 @ 0x55d0c0ffee00] Error writing trailer: No space left on device\n")
    assert why == ("disk full; free some space and build again (the cache and earlier outputs are intact) "
                   "(Error writing trailer: No space left on device)")


def test_its_own_last_line_otherwise() -> None:
    assert ffmpeg_failure(1, "first\nInvalid data found when processing input\n") == (
        "Invalid data found when processing input")


def test_no_message_still_says_something() -> None:
    assert ffmpeg_failure(1, "") == "exited with status 1 without a message"
    assert ffmpeg_failure(-signal.SIGSEGV, "") == "killed by SIGSEGV"
    assert "killed" in ffmpeg_failure(-signal.SIGKILL, "")


def test_a_status_that_is_an_errno_is_read_as_one() -> None:
    # ffmpeg 7 on a full disk: status 228 (-ENOSPC & 0xff), not a word on stderr
    assert ffmpeg_failure(228, "").startswith("disk full; free some space")
    assert ffmpeg_failure(255, "") == "exited with status 255 without a message"  # its exit on a signal
