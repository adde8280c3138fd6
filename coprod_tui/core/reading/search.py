"""Search across every session in the folder: full text over cards, titles and questions, with filters.

Why an in-memory index rather than a search engine: a facilitator's folder holds hundreds of sessions, not
millions, and plain substring tests over precomputed, normalised strings answer 100,000 cards well inside the
300 ms budget, with nothing to install and nothing to keep in sync on disk. The expensive part is reading the
files, so that happens once; `refresh()` re-reads only files whose stamp changed (the `.index.json` idea), which
keeps the index right while a live board keeps rewriting its session.

Threads: `refresh()` builds new containers and swaps them in with one assignment, and `search()` reads that one
reference, so a worker thread can refresh while the UI thread searches. Concurrent refreshes are serialised.

Matching is case- and accent-insensitive (`search_query.fold`), and each result carries the spans of its matches
in the original text for highlighting (`search_query.match_spans`). A session is "on" the local date it was
created (`localtime.local_date`): that is the date results show and `from:`/`to:` compare with, so a session
begun at 00:30 in a UK summer is found under that day, not the UTC day before. The date is worked out once, when
the file is read: a moment's local date does not change while the app runs.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass, field
from pathlib import Path

from coprod_tui.core.errors import UnreadableSession
from coprod_tui.core.localtime import local_date
from coprod_tui.core.model import Kind, Role
from coprod_tui.core.reading.search_query import Query, fold, match_spans, parse_query
from coprod_tui.core.store.file import read_document
from coprod_tui.core.store.folder import SUFFIX, SessionFolder

__all__ = ["Query", "SearchIndex", "SearchResult", "SearchResults", "fold", "match_spans", "parse_query"]

_KINDS = {k.value: k for k in Kind}
_KIND_ORDER = {k: i for i, k in enumerate(Kind)}
_ROLES = {r.value: r for r in Role}


@dataclass(frozen=True, slots=True)
class SearchResult:
    """One line of the results: a card, or (card_id None) a session whose title or question matched."""

    session_id: str
    session_title: str
    date: str  # the session's creation date, YYYY-MM-DD, in the computer's local time (files keep UTC)
    programme: str
    card_id: int | None
    kind: Kind | None
    group: str | None
    role: Role | None
    text: str  # the card's text, or the session's question (its title when there is none)
    hidden: bool = False
    spans: tuple[tuple[int, int], ...] = ()  # in `text`
    title_spans: tuple[tuple[int, int], ...] = ()  # in `session_title` (session results only)

    @property
    def is_session(self) -> bool:
        return self.card_id is None


@dataclass(frozen=True)
class SearchResults:
    """The first `limit` results and the true totals, so the screen can say "showing the first 500"."""

    query: Query
    results: list[SearchResult] = field(default_factory=list)
    notes: int = 0  # matching cards, all of them
    titles: int = 0  # matching sessions (title or question), all of them
    sessions: int = 0  # sessions with at least one match of either sort
    searched: int = 0  # readable sessions in the index
    unreadable: int = 0

    @property
    def total(self) -> int:
        return self.notes + self.titles

    @property
    def limited(self) -> bool:
        return self.total > len(self.results)


@dataclass(frozen=True, slots=True)
class _Session:
    """One session file as the index keeps it: cards in board order, as parallel tuples for fast scans."""

    stamp: tuple[int, int, int]
    id: str
    title: str
    question: str
    programme: str
    created: str
    date: str  # the local date it was created (localtime.local_date), what results show and from:/to: compare
    head: str  # folded title and question, "\0"-separated so no term matches across them
    folded_programme: str
    groups: dict[int, tuple[str, str, Role | None]]  # id → (name, folded name, role)
    card_ids: tuple[int, ...]
    kinds: tuple[Kind, ...]
    group_ids: tuple[int | None, ...]
    texts: tuple[str, ...]
    folded: tuple[str, ...]
    hidden: tuple[bool, ...]


@dataclass(frozen=True)
class _State:
    sessions: tuple[_Session, ...] = ()  # newest first
    by_file: dict[str, _Session] = field(default_factory=dict)
    unreadable: dict[str, tuple[tuple[int, int, int], str]] = field(default_factory=dict)


@dataclass(frozen=True)
class RefreshStats:
    """What one refresh did: how many files it had to read, and what the index holds afterwards."""

    read: int
    sessions: int
    cards: int
    unreadable: int


def _load(path: Path, stamp: tuple[int, int, int]) -> _Session:
    doc = read_document(path)
    try:
        meta = doc["meta"]["1"]
        groups: dict[int, tuple[str, str, Role | None]] = {}
        for rec in doc["groups"].values():
            name = str(rec["name"])
            role = rec.get("role")
            groups[int(rec["id"])] = (name, fold(name), _ROLES.get(role))
        cards = [(_KINDS[r["kind"]], float(r.get("order", 0)), int(r["id"]), r) for r in doc["cards"].values()]
        cards.sort(key=lambda c: (_KIND_ORDER[c[0]], c[1], c[2]))
        texts = tuple(str(c[3]["text"]) for c in cards)
        title, question = str(meta.get("title", "")), str(meta.get("question") or "")
        programme = str(meta.get("programme") or "")
        created = str(meta.get("created", ""))
        return _Session(
            stamp=stamp, id=path.stem, title=title, question=question, programme=programme,
            created=created, date=local_date(created), head=f"{fold(title)}\0{fold(question)}",
            folded_programme=fold(programme), groups=groups,
            card_ids=tuple(c[2] for c in cards), kinds=tuple(c[0] for c in cards),
            group_ids=tuple(_group_id(c[3]) for c in cards), texts=texts,
            folded=tuple(fold(t) for t in texts), hidden=tuple(bool(c[3].get("hidden")) for c in cards),
        )
    except (KeyError, TypeError, ValueError, AttributeError):
        raise UnreadableSession(f"{path.name} is damaged: a record has a missing or impossible field") from None


def _group_id(card: dict) -> int | None:
    """A card's group id; anything else would make the group filter fail on every later search, not just here."""
    gid = card.get("group")
    if gid is not None and not isinstance(gid, int):
        raise ValueError(gid)
    return gid


class SearchIndex:
    """Every readable session of a folder, normalised once, searchable from any thread."""

    def __init__(self, folder: SessionFolder) -> None:
        self.folder = folder
        self._state = _State()
        self._lock = threading.Lock()
        self.loaded = False  # True once the first refresh has finished

    @property
    def sessions(self) -> int:
        return len(self._state.sessions)

    @property
    def cards(self) -> int:
        return sum(len(s.card_ids) for s in self._state.sessions)

    @property
    def unreadable(self) -> dict[str, str]:
        """File name → why it could not be read (skipped, and re-tried only once the file changes)."""
        return {name: reason for name, (_, reason) in self._state.unreadable.items()}

    def refresh(self) -> RefreshStats:
        """Bring the index up to date with the folder, reading only new and changed files; drop deleted ones."""
        with self._lock:
            old = self._state
            by_file: dict[str, _Session] = {}
            unreadable: dict[str, tuple[tuple[int, int, int], str]] = {}
            read = 0
            for name, path in self._files():
                try:
                    st = path.stat()  # stat before reading: a write in between changes the stamp, read again next time
                except OSError:
                    continue
                # The inode too: an atomic write replaces the file, and two writes inside one timestamp tick can
                # leave mtime and size equal.
                stamp = (st.st_mtime_ns, st.st_size, st.st_ino)
                known = old.by_file.get(name)
                if known is not None and known.stamp == stamp:
                    by_file[name] = known
                    continue
                bad = old.unreadable.get(name)
                if bad is not None and bad[0] == stamp:
                    unreadable[name] = bad
                    continue
                read += 1
                try:
                    by_file[name] = _load(path, stamp)
                except FileNotFoundError:
                    continue  # deleted since the listing
                except UnreadableSession as exc:
                    unreadable[name] = (stamp, str(exc))
                except OSError as exc:
                    unreadable[name] = (stamp, f"cannot read {name}: {exc.strerror or exc}")
            ordered = tuple(sorted(by_file.values(), key=lambda s: (s.created, s.id), reverse=True))
            self._state = _State(ordered, by_file, unreadable)  # one assignment: readers see old or new, whole
            self.loaded = True
            return RefreshStats(read, len(ordered), sum(len(s.card_ids) for s in ordered), len(unreadable))

    def _files(self) -> list[tuple[str, Path]]:
        try:
            with os.scandir(self.folder.folder) as entries:
                return [(e.name, Path(e.path)) for e in entries
                        if e.name.endswith(SUFFIX) and not e.name.startswith(".") and e.is_file()]
        except (FileNotFoundError, NotADirectoryError):
            return []

    def search(self, query: Query | str, limit: int = 500) -> SearchResults:
        """Newest session first, then board order; every match counted, the first `limit` returned with spans.

        A string is parsed first (and may raise ValidationError); parse once with `parse_query` to reuse a Query.
        """
        if isinstance(query, str):
            query = parse_query(query)
        state = self._state
        found: list[SearchResult] = []
        notes = titles = sessions = 0
        if query.is_empty:
            return SearchResults(query, found, 0, 0, 0, len(state.sessions), len(state.unreadable))
        terms = tuple(sorted(query.terms, key=len, reverse=True))  # the longest term is usually the rarest
        for s in state.sessions:
            if not _session_passes(s, query):
                continue
            hits = 0
            if not query.has_card_filters and all(t in s.head for t in terms):
                hits += 1
                titles += 1
                if len(found) < limit:
                    found.append(_session_result(s, query.terms))
            matched = _matching_cards(s, query, terms)
            hits += len(matched)
            notes += len(matched)
            for i in matched[:max(0, limit - len(found))]:
                found.append(_card_result(s, i, query.terms))
            sessions += hits > 0
        return SearchResults(query, found, notes, titles, sessions, len(state.sessions), len(state.unreadable))


def _session_passes(s: _Session, query: Query) -> bool:
    date = s.date
    if query.date_from and date < query.date_from:
        return False
    if query.date_to and date > query.date_to:
        return False
    return not query.programmes or any(p in s.folded_programme for p in query.programmes)


def _matching_cards(s: _Session, query: Query, terms: tuple[str, ...]) -> list[int]:
    """Indices of the session's cards that pass the card filters and hold every term."""
    folded = s.folded
    if query.has_card_filters:
        allowed = None
        if query.groups or query.roles:
            allowed = {gid for gid, (_, fname, role) in s.groups.items()
                       if (not query.groups or any(g in fname for g in query.groups))
                       and (not query.roles or role in query.roles)}
            if not allowed:
                return []
        kinds, group_ids = query.kinds, s.group_ids
        candidates = [i for i, k in enumerate(s.kinds)
                      if (not kinds or k in kinds) and (allowed is None or group_ids[i] in allowed)]
    elif terms:
        first, terms = terms[0], terms[1:]
        candidates = [i for i, text in enumerate(folded) if first in text]
    else:
        candidates = list(range(len(folded)))
    for term in terms:
        if not candidates:
            break
        candidates = [i for i in candidates if term in folded[i]]
    return candidates


def _card_result(s: _Session, i: int, terms: tuple[str, ...]) -> SearchResult:
    group = s.groups.get(s.group_ids[i]) if s.group_ids[i] is not None else None
    return SearchResult(
        session_id=s.id, session_title=s.title, date=s.date, programme=s.programme,
        card_id=s.card_ids[i], kind=s.kinds[i], group=group[0] if group else None, role=group[2] if group else None,
        text=s.texts[i], hidden=s.hidden[i], spans=match_spans(s.texts[i], terms),
    )


def _session_result(s: _Session, terms: tuple[str, ...]) -> SearchResult:
    text = s.question or s.title
    return SearchResult(
        session_id=s.id, session_title=s.title, date=s.date, programme=s.programme, card_id=None,
        kind=None, group=None, role=None, text=text, spans=match_spans(text, terms),
        title_spans=match_spans(s.title, terms),
    )
