"""Errors the core raises for callers to show to people.

Every message is written for a facilitator or participant, not a developer: front ends print it as it is.
"""


class CoprodError(Exception):
    """Base class: something a person asked for could not be done; the message says why."""


class ValidationError(CoprodError):
    """Input was refused; nothing was changed."""


class NotFound(CoprodError):
    """A session, card or group that does not exist (any more)."""


class UnreadableSession(CoprodError):
    """A session file that cannot be opened: corrupt, truncated, foreign, or from a newer version."""


class StorageError(CoprodError):
    """A change could not be made durable (disk full, read-only folder…)."""


class SessionBusy(CoprodError):
    """The session is open for editing in another coprod process; two writers would overwrite each other."""


class SubmissionsClosed(CoprodError):
    """The facilitator has closed the session to phones: nothing they send is stored."""


class Refused(CoprodError):
    """Valid input that the session's current state does not allow (voting closed, a vote over the limit, a phone
    that is a step behind). Phones get a 409 with the reason and fetch the current state again."""
