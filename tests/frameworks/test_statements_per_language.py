"""Item banks may hold each statement in other languages (issue 17): validated on load."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from frameworks.schema import ItemSpec


def test_statements_per_language_are_kept_and_tidied() -> None:
    spec = ItemSpec(
        statement="I feel listened to.",
        statements={"cy": "  Rwy’n teimlo\n bod rhywun yn gwrando. "},
    )
    assert spec.statements == {"cy": "Rwy’n teimlo bod rhywun yn gwrando."}


@pytest.mark.parametrize(
    ("statements", "message"),
    [
        ({"cy": "   "}, "the cy statement is empty"),
        ({"Welsh": "Iawn."}, "'Welsh' is not a language code"),
        ({"en": "Same."}, "the English is the statement itself"),
        ({"cy": "Mae {service} yn dda."}, "same placeholders"),
    ],
)
def test_bad_statements_are_refused(statements: dict[str, str], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        ItemSpec(statement="The service is good.", statements=statements)


def test_placeholders_must_match() -> None:
    ok = ItemSpec(statement="{service} listens.", statements={"cy": "Mae {service} yn gwrando."})
    assert ok.statements["cy"].startswith("Mae {service}")
