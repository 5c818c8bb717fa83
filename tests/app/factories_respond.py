"""Tenancy factories for the respondent journey.

Its only signed-in route, `respond.preview` at /rounds/<round_id>/preview/<audience>, takes
`round_id` and `audience`, which factories_rounds.py already provides (a round of the other
organisation with a parents questionnaire, and "parents"), so nothing is added here: defining
them twice would only risk the two disagreeing.
"""

from __future__ import annotations

FACTORIES: dict[str, object] = {}
