"""The reports tests reuse the exports tests' rounds: every kind of group the anonymity rules
distinguish (a staff group with role breakdowns, parents with a statement only three answered,
children, and a community group one short of k with distinctive answers and comments)."""

from tests.app.exports.conftest import seeded_round  # noqa: F401
