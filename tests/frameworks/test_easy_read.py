"""Easy-read statements for adults (issue 17): every one at most 15 words, refused on load
when longer, and given for every statement service users are asked in the built-in banks."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from frameworks.loader import builtin_frameworks
from frameworks.schema import EASY_READ_MAX_WORDS, ItemSpec

EASY = [
    (fw.id, indicator.id, audience, spec.easy_read)
    for fw in builtin_frameworks().values()
    for indicator in fw.indicators
    for audience, specs in indicator.items.items()
    for spec in specs
    if spec.easy_read is not None
]


def test_the_built_in_banks_have_easy_read_statements() -> None:
    assert len(EASY) >= 20
    assert {fw for fw, *_ in EASY} == {
        "csit-collaborative-working",
        "csit-red-threads",
        "derwent-interagency",
    }


@pytest.mark.parametrize("where", EASY, ids=lambda w: f"{w[0]}:{w[1]}:{w[2]}")
def test_every_easy_read_statement_is_at_most_15_words(where: tuple[str, ...]) -> None:
    text = where[3]
    assert len(text.split()) <= EASY_READ_MAX_WORDS == 15, text
    assert text.endswith((".", "?")) and text[0].isupper()


def test_every_statement_service_users_answer_has_an_easy_read_version() -> None:
    for fw in builtin_frameworks().values():
        for indicator in fw.indicators:
            for spec in indicator.items.get("service_users", []):
                assert spec.easy_read, (fw.id, indicator.id, spec.statement)


def test_a_long_or_empty_easy_read_statement_is_refused_on_load() -> None:
    sixteen = " ".join(["word"] * 15) + " more."
    with pytest.raises(ValidationError, match=r"easy_read has 16 words: .* at most 15"):
        ItemSpec(statement="I am kept informed.", easy_read=sixteen)
    with pytest.raises(ValidationError, match="easy_read is empty"):
        ItemSpec(statement="I am kept informed.", easy_read="   ")
    fifteen = " ".join(["word"] * 14) + " end."
    assert ItemSpec(statement="I am kept informed.", easy_read=f" {fifteen}\n").easy_read == fifteen
