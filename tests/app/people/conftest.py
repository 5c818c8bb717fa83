"""The people tests reuse the real loopback SMTP server of the invitation tests."""

from tests.app.invitations.conftest import no_smtp, smtp

__all__ = ["no_smtp", "smtp"]
