"""Choosing together from the board: dot voting (V, and its results) and clusters (m marks, c clusters, C splits).

Votes come from phones (CastVote through the hub); the board only opens, closes and reveals a round. The marks are
the one piece of board-only state, owned here: a selection of cards about to be clustered, never saved (a mark that
leaves the board, because its card was clustered, held or deleted, is dropped).
"""

from __future__ import annotations

from collections.abc import Callable

from textual.binding import Binding
from textual.content import Content

from coprod_tui.core.commands import CloseVoting, MergeCards, OpenVoting, RevealVotes, SplitCluster
from coprod_tui.core.model import VOTABLE, Kind, Session
from coprod_tui.core.wording import plural
from coprod_tui.tui.board.control import Control, Desk, Selection
from coprod_tui.tui.dialogs.run import TitlePrompt
from coprod_tui.tui.dialogs.votes import ResultsScreen, VotingDialog

# (columns) -> None: the board redraws those columns (a mark shows on its card).
Redraw = Callable[[set[Kind]], None]


class VotesControl(Control):
    """Voting rounds, and marking cards to cluster them."""

    BINDINGS = [
        Binding("V", "voting", "Vote"),
        Binding("number_sign", "vote_results", "Vote results", key_display="#", show=False),
        Binding("m", "mark", "Mark / unmark for a cluster", show=False),
        Binding("c", "cluster", "Cluster the marked notes", show=False),
        Binding("C", "split", "Split a cluster", show=False),
    ]
    WRITES = frozenset({"voting", "mark", "cluster", "split"})

    def __init__(self, desk: Desk, selection: Selection, *, redraw: Redraw, refresh_keys: Callable[[], None]) -> None:
        self.desk = desk
        self.selection = selection
        self._redraw = redraw
        self._refresh_keys = refresh_keys  # whether c can cluster depends on the marks
        self.marked: set[int] = set()

    def keep_marks_on_board(self, session: Session) -> set[int]:
        """Drop the marks of cards no longer on the board; the marks left."""
        self.marked &= {c.id for c in session.cards.values() if c.on_board}
        return self.marked

    def state(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "vote_results" and self.desk.session.meta.voting is None:
            return None
        if action == "mark" and self.selection.selected_card() is None:
            return None
        if action == "cluster" and len(self.marked) < 2:
            return None
        if action == "split" and ((card := self.selection.selected_card()) is None or not card.is_cluster):
            return None
        return True

    # -- voting -------------------------------------------------------------------------------------------------
    def voting(self) -> None:
        session = self.desk.session
        kind = session.meta.current_phase.kind
        card_list = self.selection.focused_list()
        default = Kind(kind) if kind in ("problem", "option") else (
            card_list.kind if card_list is not None and card_list.kind in VOTABLE else Kind.PROBLEM)

        def submit(command: OpenVoting) -> None:
            self.desk.hub.apply(command)

        def chosen(what: str | None) -> None:
            voting = self.desk.session.meta.voting
            if what == "opened" and voting is not None:
                self.desk.notify(Content(f"Voting is open on {Kind(voting.kind).label.lower()}: {voting.per_person} "
                                         f"each, at most {voting.per_card} on one note. Totals stay hidden until you "
                                         "show them (V)."), timeout=5)
            elif what == "close":
                self.desk.apply(CloseVoting())
            elif what in ("reveal", "conceal"):
                self.desk.apply(RevealVotes(revealed=what == "reveal"))
            elif what == "results":
                self.vote_results()

        self.desk.show(VotingDialog(session, submit, default), chosen)

    def vote_results(self) -> None:
        if self.desk.session.meta.voting is None:
            self.desk.notify("There has been no vote yet: V opens one.", timeout=3)
            return
        hub = self.desk.hub

        def reveal(shown: bool) -> None:
            hub.apply(RevealVotes(revealed=shown))

        self.desk.show(ResultsScreen(self.desk.session, self.desk.shade, None if hub.read_only else reveal))

    # -- clusters -----------------------------------------------------------------------------------------------
    def mark(self) -> None:
        card = self.selection.selected_card()
        if card is None:
            return
        self.marked.symmetric_difference_update({card.id})
        self._redraw({card.kind})
        self._refresh_keys()

    def cluster(self) -> None:
        session = self.desk.session
        cards = sorted((session.cards[i] for i in self.marked if i in session.cards), key=lambda c: (c.order, c.id))
        if len(cards) < 2:
            self.desk.notify("Mark two or more notes of one column with m, then press c.", timeout=4)
            return
        clusters = [c for c in cards if c.is_cluster]
        heading = (f"Add {plural(len(cards) - 1, 'note')} to the cluster" if len(clusters) == 1
                   else f"Cluster {plural(len(cards), 'note')}")

        def submit(title: str) -> None:
            self.desk.hub.apply(MergeCards(card_ids=tuple(c.id for c in cards), title=title.strip() or None))
            self.marked.clear()
            self._refresh_keys()
            self.desk.notify("Clustered: the notes are listed under the cluster (C splits it, u undoes).", timeout=4)

        value = clusters[0].text if len(clusters) == 1 else ""
        self.desk.show(TitlePrompt(heading, [c for c in cards if not c.is_cluster], submit, value))

    def split(self) -> None:
        card = self.selection.selected_card()
        if card is None or not card.is_cluster:
            self.desk.notify("Select a cluster (⧉) to split it.", timeout=3)
            return
        size = len(self.desk.session.members(card.id))
        if self.desk.apply(SplitCluster(cluster_id=card.id)):
            self.desk.notify(f"Split: {plural(size, 'note')} back on the board (u undoes).", timeout=3)
