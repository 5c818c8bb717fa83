"""Answering offline (issue 18): grants that let a device submit later, and the queued path.

Import from this package, not from the modules: they may move.
"""

from app.services.offline.grants import Grant, GrantError, issue_grant, read_grant
from app.services.offline.queued import Answer, Body, progress_from, read_body, take

__all__ = [
    "Answer",
    "Body",
    "Grant",
    "GrantError",
    "issue_grant",
    "progress_from",
    "read_body",
    "read_grant",
    "take",
]
