"""User-facing errors: every message is Spanish and names the file and field at fault."""

from __future__ import annotations


class NexosError(Exception):
    """A user error (bad file, bad parameter, unknown municipality).

    Holds every problem found, not just the first, so the user fixes them all in one go.
    The CLI prints ``messages`` one per line and exits with status 1, never a traceback.
    """

    def __init__(self, messages: str | list[str]):
        self.messages = [messages] if isinstance(messages, str) else list(messages)
        super().__init__("\n".join(self.messages))


class DataFileError(NexosError):
    """A data file (history export, portfolio) that cannot be read as expected."""


class ParameterError(NexosError):
    """Parameters that fail validation."""
