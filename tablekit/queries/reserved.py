"""DynamoDB's reserved words: an expression that names one of them unaliased is refused.

Why read moto's copy: moto (a pinned runtime dependency) ships AWS's published list of 573 words as
a resource file, so the project keeps no second copy. The count is checked at load, so an upgrade
that changes the list is noticed, and the property tests prove the list against DynamoDB Local.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

PUBLISHED_COUNT = 573


@cache
def words() -> frozenset[str]:
    """The reserved words, upper case."""
    text = resources.files("moto.dynamodb.parsing").joinpath("reserved_keywords.txt").read_text()
    found = frozenset(word.strip().upper() for word in text.split() if word.strip())
    if len(found) != PUBLISHED_COUNT:
        raise RuntimeError(f"moto's reserved-word list has {len(found)} words, DynamoDB publishes {PUBLISHED_COUNT}")
    return found


def is_reserved(name: str) -> bool:
    """Whether an attribute name must be aliased (`#name`) in a string expression."""
    return name.upper() in words()
