"""Loading the canonical message from YAML, and the text helpers the scorers share."""

from __future__ import annotations

import pytest

from m3.errors import InputError
from m3.initiatives.spec import MAX_FIELD_CHARS
from m3.message.text import (
    Ask,
    english_stop_word_share,
    message_from_yaml,
    sentences,
    text_cap,
    words,
)

GOOD = """
why: Deals close faster when buyers see their own numbers.
how: Build the ROI model with the buyer in the first call.
what: Every opportunity has an ROI model attached.
key_points:
  - Open discovery with the ROI calculator.
  - Send the summary within 24 hours.
  - Attach the model in the CRM.
asks:
  - behaviour: Complete the calculator in the first call
    metric: roi_models_completed
    target: 80%
  - Send the summary
"""


def test_a_full_message_loads_with_its_asks() -> None:
    message = message_from_yaml(GOOD)
    assert message.why.startswith("Deals close faster")
    assert len(message.key_points) == 3
    assert message.asks[0] == Ask("Complete the calculator in the first call",
                                  "roi_models_completed", "80%")
    assert message.asks[1] == Ask("Send the summary")


def test_a_draft_without_why_loads_so_clarity_can_report_it() -> None:
    message = message_from_yaml("how: Do this.\nkey_points: [One]\n")
    assert message.why == "" and message.what == ""


def test_a_misspelt_key_is_refused_with_a_hint() -> None:
    with pytest.raises(InputError, match="'whay'.*did you mean 'why'"):
        message_from_yaml("whay: x\nhow: y\n", source="m.yaml")


def test_key_points_written_as_one_text_are_refused_with_the_fix() -> None:
    with pytest.raises(InputError, match="key_points must be a list"):
        message_from_yaml("why: x\nkey_points: one, two\n")


def test_an_empty_key_point_is_refused_naming_its_position() -> None:
    with pytest.raises(InputError, match="key_points item 2 is empty"):
        message_from_yaml("why: x\nkey_points: [one, '', three]\n")


def test_broken_yaml_names_the_line() -> None:
    with pytest.raises(InputError, match="not valid YAML at line"):
        message_from_yaml("why: [unclosed\nhow: x\n")


def test_a_list_instead_of_a_mapping_is_refused() -> None:
    with pytest.raises(InputError, match="expected a mapping"):
        message_from_yaml("- why\n- how\n")


def test_an_oversized_field_is_refused() -> None:
    with pytest.raises(InputError, match="too long"):
        message_from_yaml("why: " + "word " * MAX_FIELD_CHARS)


def test_an_ask_without_behaviour_is_refused() -> None:
    with pytest.raises(InputError, match="behaviour is missing"):
        message_from_yaml("why: x\nasks:\n  - metric: calls\n")


@pytest.mark.parametrize(("text", "says"), [
    ("asks: [Call]\n", "m.yaml: the message is empty; add why, how, what and key_points."),
    ("why: x\nkey_points: [[a], b]\n", "m.yaml: key_points item 1: expected text, got list."),
    ("why: x\nkey_points: [" + ", ".join("p" * 21) + "]\n",
     "m.yaml: 21 key points; at most 20 are accepted (and 3-5 are recommended)."),
    ("how: " + "a" * 4001 + "\n", "m.yaml: how: 4001 characters is too long for a message part "
     "(limit 4000); keep the message short and link the detail."),
    ("why: x\nasks: Call\n", "m.yaml: asks must be a list of mappings with behaviour, metric, "
     "target; got str."),
    ("why: x\nasks: [Call, {behavior: Email}]\n", "m.yaml: asks item 2: unknown key 'behavior' "
     "(did you mean 'behaviour'?); allowed keys are behaviour, metric, target, "
     "per_rep_per_week."),
    ("why: x\nasks: [{behaviour: Call, metric: [a]}]\n",
     "m.yaml: asks item 1: metric: expected text, got list."),
])
def test_the_first_problem_is_named_with_its_place_and_fix(text: str, says: str) -> None:
    with pytest.raises(InputError) as caught:
        message_from_yaml(text, source="m.yaml")
    assert caught.value.message == says


def test_wrapped_lines_stay_one_sentence_and_bullets_split() -> None:
    text = "Start each\ndiscovery call. Then send it.\n\n- one item\n- two\n  wrapped"
    assert sentences(text) == ["Start each discovery call.", "Then send it.", "one item",
                               "two wrapped"]


def test_words_keep_contractions_and_hyphens() -> None:
    assert words("Don’t skip the one-page ROI!") == ["don't", "skip", "the", "one-page", "roi"]


def test_english_stop_word_share_is_high_for_english_and_low_for_french() -> None:
    assert english_stop_word_share(words("We send the summary to the buyer within a day")) > 0.3
    assert english_stop_word_share(words("Envoyez le résumé au client dans la journée")) < 0.1


def test_text_cap_cuts_at_a_word_boundary_and_says_so() -> None:
    capped, truncated = text_cap("alpha beta gamma delta", limit=12)
    assert (capped, truncated) == ("alpha beta", True)
    assert text_cap("short", limit=12) == ("short", False)
