"""One duration formatter: the summary's lengths, the times view's tenths, SMIL's milliseconds."""

from pipeline.clock import clock, fmt_duration, seconds_of


def test_lengths_drop_the_hours_under_an_hour() -> None:
    assert fmt_duration(177.4) == "2:57" and fmt_duration(43620) == "12:07:00" and fmt_duration(0) == "0:00"


def test_places_round_to_the_last_place_shown() -> None:
    assert clock(3723.4567, 3) == "1:02:03.457"
    assert clock(59.96, 1) == "0:01:00.0"  # rounding carries into the minutes
    assert clock(-0.2) == "0:00:00"


def test_a_clock_reads_back_as_its_seconds() -> None:
    for seconds in (0.0, 42.5, 125.5, 5025.0):
        assert seconds_of(clock(seconds, 1)) == seconds
    assert seconds_of("soon") is None and seconds_of("42") == 42
