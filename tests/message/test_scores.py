"""Stored key-point scores: one typed shape, written and read back through the JSON field."""

from __future__ import annotations

from m3.message.scores import KeyPointScore, key_points_from_json, key_points_to_json

COVERED = KeyPointScore("Use the ROI calculator", True, 0.91, False, "use the ROI calculator",
                        None)
AGAINST = KeyPointScore("Put the number in the proposal", False, 0.2, True, None, "skip it")


def test_a_score_round_trips_through_the_json_it_is_stored_as() -> None:
    stored = key_points_to_json([COVERED, AGAINST])
    assert stored[1] == {"point": "Put the number in the proposal", "covered": False,
                         "similarity": 0.2, "contradicted": True, "evidence": None,
                         "contradiction": "skip it"}
    assert list(stored[0]) == ["point", "covered", "similarity", "contradicted", "evidence",
                               "contradiction"]
    assert key_points_from_json(stored) == (COVERED, AGAINST)


def test_an_older_row_without_the_newer_keys_reads_as_neutral() -> None:
    assert key_points_from_json([{"covered": 1}]) == (
        KeyPointScore("", True, 0.0, False, None, None),)
