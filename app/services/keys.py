"""The app's secret keys, newest first: SECRET_KEY, then SECRET_KEY_FALLBACKS (Flask 3.1).

Everything derived from a key (invitation tokens, draft keys, sealed session values) is made
with the newest key and opened with any of them, so a key can be rotated mid-round without
losing a link or a draft (DESIGN.md 6.8).
"""

from __future__ import annotations

from flask import current_app


def secret_keys() -> list[str]:
    config = current_app.config
    fallbacks = config.get("SECRET_KEY_FALLBACKS") or []
    if isinstance(fallbacks, str):  # one old key given as a plain string
        fallbacks = [fallbacks]
    return [str(config["SECRET_KEY"]), *(str(k) for k in fallbacks if k)]
