"""Gunicorn settings for Chorus: `gunicorn -c gunicorn.conf.py wsgi:app`.

The access log never holds a token, and respondent paths (/r, /q, /o, /unsubscribe,
/forgotten) are logged with no client address, user agent, referer or headers
(app/access_log.py; DESIGN.md 6.2). Override anything else on the command line
(`--workers`, `--bind`) or with GUNICORN_CMD_ARGS.
"""

from app.access_log import RespondentSafeLogger

bind = "0.0.0.0:8000"
workers = 4
logger_class = RespondentSafeLogger
accesslog = "-"  # standard output; the access log is safe to keep
errorlog = "-"
