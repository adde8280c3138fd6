"""What every command shares (who sent it, the phone's request id) and the event an applied command becomes.

A command says what someone asked for, by whom (`source`) and, for phones, with which `request_id` (a retry with
the same id changes nothing and gets the same answer). Commands are plain frozen dataclasses so front ends can build
them without knowing how the hub checks or applies them.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum



class Source(str, Enum):
    FACILITATOR = "facilitator"
    PHONE = "phone"
    IMPORT = "import"


@dataclass(frozen=True, kw_only=True)
class Command:
    source: Source = Source.FACILITATOR
    request_id: str | None = None


@dataclass(frozen=True)
class Event:
    """One applied command as kept in the session file and published to both front ends.

    `patch` maps table → key → (before, after) records; None means "absent". Applying the afters in order replays
    the session; applying the befores of one event undoes it.
    """

    seq: int
    at: str
    source: str
    type: str
    patch: dict[str, dict[str, tuple[dict | None, dict | None]]]
    request_id: str | None = None
    undoes: int | None = None
    card_id: int | None = None

    def to_record(self) -> dict:
        rec: dict = {
            "seq": self.seq,
            "at": self.at,
            "source": self.source,
            "type": self.type,
            "patch": {t: {k: [b, a] for k, (b, a) in rows.items()} for t, rows in self.patch.items()},
        }
        for name in ("request_id", "undoes", "card_id"):
            if getattr(self, name) is not None:
                rec[name] = getattr(self, name)
        return rec

    @classmethod
    def from_record(cls, rec: dict) -> Event:
        return cls(
            seq=int(rec["seq"]),
            at=rec["at"],
            source=rec["source"],
            type=rec["type"],
            patch={t: {k: (ba[0], ba[1]) for k, ba in rows.items()} for t, rows in rec.get("patch", {}).items()},
            request_id=rec.get("request_id"),
            undoes=rec.get("undoes"),
            card_id=rec.get("card_id"),
        )
