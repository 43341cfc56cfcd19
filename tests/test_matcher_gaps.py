"""A phrase's gap stays inside its clause, but may end at punctuation the phrase itself names."""

from graph_agents import matcher

INTENTS = {"cut_edge": {"pipe , if ... , would leave": 3.0}, "plain": {"pipe ... leave": 3.0}}


def _found(text: str) -> set[str]:
    return {m.intent for m in matcher.find_phrases(text, INTENTS)}


def test_a_gap_may_end_at_the_comma_the_phrase_names():
    assert _found("Which pipes, if they burst, would leave the town dry?") == {"cut_edge"}


def test_a_gap_still_never_crosses_a_comma_it_does_not_name():
    assert _found("Which pipe, or valve, would leave the town dry?") == set()
    assert _found("Which pipe would leave the town dry?") == {"plain"}
