"""Choosing together from the board: dot voting (V, and its results) and clusters (m marks, c clusters, C splits).

A mixin for BoardScreen. Votes come from phones (CastVote through the hub); the board only opens, closes and
reveals a round. Marks are the one piece of board-only state: a selection of cards about to be clustered, never
saved (a mark that leaves the board, because its card was clustered, held or deleted, is dropped).
"""

from __future__ import annotations

from textual.binding import Binding
from textual.content import Content

from coprod_tui.core.commands import CloseVoting, MergeCards, OpenVoting, RevealVotes, SplitCluster
from coprod_tui.core.model import Kind
from coprod_tui.tui.dialogs.run import TitlePrompt
from coprod_tui.tui.dialogs.votes import ResultsScreen, VotingDialog

VOTABLE = (Kind.PROBLEM, Kind.OPTION)


class VoteControls:
    """Needs from BoardScreen: `hub`, `session`, `selected_card()`, `focused_list()`, `_apply()`,
    `_refresh_undo_keys()`, `refresh_cards()`."""

    VOTE_BINDINGS = [
        Binding("V", "voting", "Vote"),
        Binding("number_sign", "vote_results", "Vote results", key_display="#", show=False),
        Binding("m", "mark", "Mark / unmark for a cluster", show=False),
        Binding("c", "cluster", "Cluster the marked notes", show=False),
        Binding("C", "split", "Split a cluster", show=False),
    ]
    VOTE_ACTIONS = {"voting", "mark", "cluster", "split"}

    def _init_votes(self) -> None:
        self.marked: set[int] = set()

    def vote_action_state(self, action: str) -> bool | None:
        if action == "vote_results" and self.session.meta.voting is None:
            return None
        if action == "mark" and self.selected_card() is None:
            return None
        if action == "cluster" and len(self.marked) < 2:
            return None
        if action == "split" and ((card := self.selected_card()) is None or not card.is_cluster):
            return None
        return True

    # -- voting -------------------------------------------------------------------------------------------------
    def action_voting(self) -> None:
        kind = self.session.meta.current_phase.kind
        card_list = self.focused_list()
        default = Kind(kind) if kind in ("problem", "option") else (
            card_list.kind if card_list is not None and card_list.kind in VOTABLE else Kind.PROBLEM)

        def submit(command: OpenVoting) -> None:
            self.hub.apply(command)
            self._refresh_undo_keys()

        def chosen(what: str | None) -> None:
            voting = self.session.meta.voting
            if what == "opened" and voting is not None:
                self.notify(Content(f"Voting is open on {Kind(voting.kind).label.lower()}: {voting.per_person} "
                                    f"each, at most {voting.per_card} on one note. Totals stay hidden until you "
                                    "show them (V)."), timeout=5)
            elif what == "close":
                self._apply(CloseVoting())
            elif what in ("reveal", "conceal"):
                self._apply(RevealVotes(revealed=what == "reveal"))
            elif what == "results":
                self.action_vote_results()

        self.app.push_screen(VotingDialog(self.session, submit, default), chosen)

    def action_vote_results(self) -> None:
        if self.session.meta.voting is None:
            self.notify("There has been no vote yet: V opens one.", timeout=3)
            return

        def reveal(shown: bool) -> None:
            self.hub.apply(RevealVotes(revealed=shown))
            self._refresh_undo_keys()

        self.app.push_screen(ResultsScreen(self.session, self.app.group_shade,
                                           None if self.hub.read_only else reveal))

    # -- clusters -----------------------------------------------------------------------------------------------
    def action_mark(self) -> None:
        card = self.selected_card()
        if card is None:
            return
        self.marked.symmetric_difference_update({card.id})
        self.refresh_cards(kinds={card.kind})
        self.refresh_bindings()

    def action_cluster(self) -> None:
        cards = sorted((self.session.cards[i] for i in self.marked if i in self.session.cards),
                       key=lambda c: (c.order, c.id))
        if len(cards) < 2:
            self.notify("Mark two or more notes of one column with m, then press c.", timeout=4)
            return
        clusters = [c for c in cards if c.is_cluster]
        heading = (f"Add {len(cards) - 1} note{'s' * (len(cards) != 2)} to the cluster" if len(clusters) == 1
                   else f"Cluster {len(cards)} notes")

        def submit(title: str) -> None:
            self.hub.apply(MergeCards(card_ids=tuple(c.id for c in cards), title=title.strip() or None))
            self._refresh_undo_keys()
            self.marked.clear()
            self.refresh_bindings()
            self.notify("Clustered: the notes are listed under the cluster (C splits it, u undoes).", timeout=4)

        value = clusters[0].text if len(clusters) == 1 else ""
        self.app.push_screen(TitlePrompt(heading, [c for c in cards if not c.is_cluster], submit, value))

    def action_split(self) -> None:
        card = self.selected_card()
        if card is None or not card.is_cluster:
            self.notify("Select a cluster (⧉) to split it.", timeout=3)
            return
        size = len(self.session.members(card.id))
        if self._apply(SplitCluster(cluster_id=card.id)):
            self.notify(f"Split: {size} note{'s' * (size != 1)} back on the board (u undoes).", timeout=3, markup=False)
