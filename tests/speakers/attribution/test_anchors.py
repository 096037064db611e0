"""The exchange's firm anchors, read by the parity of turns, and who the narration puts in the scene."""

from __future__ import annotations

from pipeline.speakers.analyse import examine, sieves_only
from pipeline.speakers.attribution.anchors import ANCHOR_FEATURES, Anchors
from pipeline.speakers.attribution.features import FEATURES, candidate_table

EXCHANGE = ('Anna and Tom sat by the fire.\n\n"Is it late?" said Anna.\n\n"Nearly midnight."\n\n'
            '"Then I should go."\n\n"Stay a little, Anna."\n\n"Only a minute," said Anna, "then I go."\n\n'
            'The clock struck.\n\n"There," said Tom.\n')


def _entity(ex, name: str) -> int:  # type: ignore[no-untyped-def]
    return next(e for e, ent in enumerate(ex.cast.entities) if ent.name == name)


def test_a_tag_an_even_number_of_turns_away_says_the_person_speaks_and_an_odd_number_not() -> None:
    ex = examine(EXCHANGE, ranker=sieves_only)
    anna = _entity(ex, "Anna")
    quotes = ex.scene.quotes
    joined = [quotes[k + 1].paragraphs[0] <= quotes[k].paragraphs[-1] + 1 for k in range(len(quotes) - 1)]
    anchors = Anchors(ex.scene, ex.sieved, joined)
    at = {name: k for k, name in enumerate(ANCHOR_FEATURES)}
    # line 2 ("Then I should go."): Anna's tags two turns before and two after say her; "Stay a little, Anna."
    # one turn after addresses her: the one it answers is Anna
    row = anchors.of(2)[anna]
    assert row[at["tag_before"]] == row[at["tag_after"]] == 1 / 3
    assert row[at["voc_after"]] == 1 / 2
    # line 1 ("Nearly midnight."): her tags one and three turns away say not her, and so does the vocative two on
    row = anchors.of(1)[anna]
    assert (row[at["tag_before"]], row[at["tag_after"]]) == (-1 / 2, -1 / 4)
    assert row[at["voc_after"]] == -1 / 3
    # the narration paragraph ends the exchange: the last line reads no anchor from before it
    assert anchors.of(len(ex.scene.quotes) - 1) == {}


def test_the_rows_carry_the_anchors_and_how_lately_the_narration_named_each_candidate() -> None:
    ex = examine(EXCHANGE, ranker=sieves_only)
    anna = _entity(ex, "Anna")
    table = candidate_table(ex.scene, ex.sieved)
    line = table[2]
    row = line.rows[line.speakers.index(anna)]
    assert row[FEATURES.index("tag_before")] == 1 / 3
    narrated = FEATURES.index("since_narrated")
    assert 0 < row[narrated] < 12  # named in the narration before the exchange
