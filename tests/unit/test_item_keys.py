"""Natural keys of items: story numbers and ids are ASCII and end where they seem to."""

from __future__ import annotations

import pytest

from events.errors import InvalidInput
from events.rules import SLUG, STORY_NUMBER, check_key


@pytest.mark.parametrize("number", ["0001", "0042", "9999"])
def test_four_ascii_digits_are_a_story_number(number: str) -> None:
    assert check_key("stories", number) == number


@pytest.mark.parametrize(
    "number",
    ["０００１", "٠٠٠١", "۰۰۰۱", "०००१", "001", "00001", "00a1"],
)
def test_other_digits_are_refused(number: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        check_key("stories", number)
    assert refused.value.field == "number"


@pytest.mark.parametrize("key", ["duimdrop", "botu12", "delfshaven-helpt"])
def test_slugs_are_lowercase_ascii_words(key: str) -> None:
    assert check_key("episodes", key) == key


@pytest.mark.parametrize("key", ["ｄｕｉｍｄｒｏｐ", "duim drop", "-duimdrop", "Duimdrop"])
def test_other_ids_are_refused(key: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        check_key("episodes", key)
    assert refused.value.field == "id"


def test_the_patterns_end_at_the_end_of_the_text() -> None:
    # `$` would also match before a final newline; the key must end where the text ends.
    assert STORY_NUMBER.match("0001") and not STORY_NUMBER.match("0001\n")
    assert SLUG.match("duimdrop") and not SLUG.match("duimdrop\n")
