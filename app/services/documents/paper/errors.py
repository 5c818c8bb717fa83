"""What stops a paper upload as a whole: nothing is imported, and the message says why."""


class PaperError(ValueError):
    """The file as a whole cannot be used: nothing is imported. The message says why."""


class DuplicateBatch(PaperError):
    """The same questionnaires were imported before; the coordinator may confirm and repeat."""
