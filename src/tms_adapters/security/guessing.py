"""How guessable a password is for someone who knows its owner's details: zxcvbn."""

from __future__ import annotations

import threading
from collections.abc import Collection, Iterable
from typing import Any

from zxcvbn import zxcvbn

from tms_domain.accounts import GuessEstimate

MAX_ESTIMATED_LENGTH = 72
"""zxcvbn's own bound: its time grows fast with the length (a second at 128 repeated
characters), and the policy runs on the event loop. Only this many characters are estimated."""

# zxcvbn keeps the words it is given in a module-level dictionary, read back by its matchers.
_ZXCVBN = threading.Lock()


class ZxcvbnGuessEstimator:
    """Dropbox's zxcvbn estimator (its Python port): dictionaries of common passwords, words
    and names, keyboard patterns, dates, sequences and repeats, plus the given hints, each
    also reversed, l33t-spelled and recased; the cheapest way to build the password from
    them is its estimate."""

    def estimate(self, password: str, hints: Collection[str]) -> GuessEstimate:
        words = sorted({hint.lower() for hint in hints})
        with _ZXCVBN:
            result = zxcvbn(
                password[:MAX_ESTIMATED_LENGTH],
                user_inputs=words,
                max_length=MAX_ESTIMATED_LENGTH,
            )
        covered: dict[str, float] = {}
        _count_hints(result["sequence"], set(words), covered, 1.0)
        return GuessEstimate(
            guesses=float(result["guesses"]),
            covered={word: round(count) for word, count in covered.items()},
        )


def _count_hints(
    matches: Iterable[dict[str, Any]], words: set[str], covered: dict[str, float], times: float
) -> None:
    """Add to ``covered`` the characters each hint accounts for in these matches; a repeat
    counts its base's hints once per repetition."""
    for match in matches:
        if match["pattern"] == "repeat":
            _count_hints(match["base_matches"], words, covered, times * match["repeat_count"])
        elif match["pattern"] == "dictionary" and match["matched_word"] in words:
            word = match["matched_word"]
            covered[word] = covered.get(word, 0.0) + len(match["token"]) * times
