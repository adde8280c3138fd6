"""Handlers for dot voting and clusters: open, close and reveal a round, a phone's dot added or taken back, and
notes merged into a cluster or split out again.

The rules a room relies on live here: limits per person and per note, votes only on what phones can see, and a
phone voting in a round that has ended is told so (Refused).
"""

from __future__ import annotations

from coprod_tui.core import text as T
from coprod_tui.core.commands import CastVote, CloseVoting, MergeCards, OpenVoting, RevealVotes, Source, SplitCluster
from coprod_tui.core.errors import NotFound, Refused, ValidationError
from coprod_tui.core.handlers.context import Change, Context, Handler
from coprod_tui.core.handlers.patch import card_patch, check_group, copy_card, find_card, meta_patch, unlinked_from
from coprod_tui.core.model import VOTABLE, Card, Kind
from coprod_tui.core.reading.tally import in_vote
from coprod_tui.core.running import Voting
from coprod_tui.core.wording import plural

MAX_DOTS = 50


# -- voting -----------------------------------------------------------------------------------------------------

def _dots(value: object, what: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= MAX_DOTS:
        raise ValidationError(f"{what} must be a whole number from 1 to {MAX_DOTS}.")
    return value


def _rounds_used(ctx: Context) -> set[int]:
    """Every round number the session has given out: the current round, rounds with votes, and rounds in the
    history. A round that was opened and then undone may already be on a phone's screen, so its number is never
    given to another round (the phone would vote in it as if nothing had changed)."""
    used = {int(r["round"]) for r in ctx.session.votes.values()}
    if ctx.session.meta.voting is not None:
        used.add(ctx.session.meta.voting.round)
    for event in ctx.events:
        for record in event.patch.get("meta", {}).get("1", ()):
            voting = (record or {}).get("voting")
            if voting:
                used.add(int(voting["round"]))
    return used


def open_voting(ctx: Context, cmd: OpenVoting) -> Change:
    kind = Kind.parse(cmd.kind)
    if kind not in VOTABLE:
        raise ValidationError("Voting is on problems or on options.")
    per_person, per_card = _dots(cmd.per_person, "Votes per person"), _dots(cmd.per_card, "Votes per card")
    if per_card > per_person:
        raise ValidationError("Votes per card can't be more than votes per person.")
    now = ctx.session.meta.voting
    if now is not None and now.open:
        raise ValidationError("Voting is already open: close it before opening a new round.")
    round_no = max(_rounds_used(ctx), default=0) + 1
    voting = Voting(round=round_no, kind=kind.value, per_person=per_person, per_card=per_card)
    return Change("vote.open", meta_patch(ctx.session, voting=voting.to_record()))


def close_voting(ctx: Context, cmd: CloseVoting) -> Change:
    voting = ctx.session.meta.voting
    if voting is None or not voting.open:
        raise ValidationError("Voting is not open.")
    return Change("vote.close", meta_patch(ctx.session, voting={**voting.to_record(), "open": False}))


def reveal_votes(ctx: Context, cmd: RevealVotes) -> Change:
    voting = ctx.session.meta.voting
    if voting is None:
        raise ValidationError("There has been no vote yet.")
    if voting.revealed == cmd.revealed:
        raise ValidationError("The votes are already shown." if cmd.revealed else "The votes are already hidden.")
    return Change("vote.reveal" if cmd.revealed else "vote.conceal",
                  meta_patch(ctx.session, voting={**voting.to_record(), "revealed": cmd.revealed}))


def cast_vote(ctx: Context, cmd: CastVote) -> Change:
    session = ctx.session
    participant = T.check_participant(cmd.participant)
    voting = session.meta.voting
    if voting is None or not voting.open:
        raise Refused("Voting is closed.")
    if cmd.round != voting.round:
        raise Refused("A new round of voting has started: your screen has been updated.")
    if cmd.delta not in (1, -1):
        raise ValidationError("A vote adds or takes back one dot at a time.")
    key = f"{voting.round}:{participant}"
    before = session.votes.get(key)
    cards = dict((before or {}).get("cards", {}))
    card = session.cards.get(cmd.card_id) if isinstance(cmd.card_id, int) else None
    if cmd.delta < 0 and str(cmd.card_id) in cards and (card is None or not in_vote(session, card, voting)):
        # A dot on a note that has since gone (deleted, hidden, parked, moved) can always be taken back.
        mine = int(cards.pop(str(cmd.card_id))) - 1
        if mine:
            cards[str(cmd.card_id)] = mine
        after = {**(before or {}), "cards": cards} if cards else None
        return Change("vote.take", {"votes": {key: (before, after)}}, cmd.card_id)
    if card is None or card.hidden or card.held or card.parked:
        raise NotFound("That note is not on the board (any more).")
    if card.cluster is not None and cmd.delta > 0:  # a dot placed before the merge can still be taken back
        raise Refused("That note is now part of a cluster: vote on the cluster.")
    if card.kind.value != voting.kind:
        raise Refused(f"This round is a vote on {Kind(voting.kind).label.lower()}.")
    mine = int(cards.get(str(card.id), 0)) + cmd.delta
    if mine < 0:
        raise Refused("You have no vote on that note to take back.")
    # The per-note limit is on what the room sees: a cluster together with the dots its members had before the merge.
    counted = card if card.cluster is None else session.cards.get(card.cluster, card)
    family = {counted.id, *(m.id for m in session.members(counted.id))}
    on_it = sum(int(n) for cid, n in cards.items() if int(cid) in family) + cmd.delta
    if cmd.delta > 0 and on_it > voting.per_card:
        raise Refused(f"At most {plural(voting.per_card, 'vote')} on one note.")
    # Only dots on notes still in the vote count against the allowance.
    live = sum(int(n) for cid, n in cards.items()
               if (c := session.cards.get(int(cid))) is not None and in_vote(session, c, voting))
    if cmd.delta > 0 and live + 1 > voting.per_person:
        raise Refused(f"You have used all {voting.per_person} of your votes: take one back to move it.")
    if mine:
        cards[str(card.id)] = mine
    else:
        cards.pop(str(card.id), None)
    group = check_group(session, cmd.group_id) if cmd.group_id is not None else (before or {}).get("group")
    after = {"round": voting.round, "participant": participant, "group": group, "cards": cards} if cards else None
    if before is None and after is None:
        raise Refused("You have no vote on that note to take back.")
    return Change("vote.cast" if cmd.delta > 0 else "vote.take", {"votes": {key: (before, after)}}, card.id)


# -- clusters ---------------------------------------------------------------------------------------------------

def merge_cards(ctx: Context, cmd: MergeCards) -> Change:
    session = ctx.session
    cards = [find_card(session, i) for i in dict.fromkeys(cmd.card_ids)]
    if len(cards) < 2:
        raise ValidationError("Choose at least two notes to cluster.")
    if len({c.kind for c in cards}) != 1:
        raise ValidationError("Only notes of one column can be clustered.")
    if any(c.cluster is not None or c.held or c.parked for c in cards):
        raise ValidationError("A note that is held, parked or already in a cluster can't be clustered.")
    clusters = [c for c in cards if c.is_cluster]
    if len(clusters) > 1:
        raise ValidationError("Merge one cluster at a time: split one of them first.")
    pairs: list[tuple[Card | None, Card | None]] = []
    if clusters:
        cluster = clusters[0]
        title = T.clean(cmd.title, "Cluster title", T.CARD_TEXT_LIMIT, multiline=False) if cmd.title else cluster.text
        members = [c for c in cards if c is not cluster]
        links = sorted({*cluster.links, *(x for m in members for x in m.links)})
        pairs.append((cluster, copy_card(cluster, text=title, links=links)))
    else:
        title = T.clean(cmd.title, "Cluster title", T.CARD_TEXT_LIMIT, multiline=False)
        members = cards
        first = min(members, key=lambda c: (c.order, c.id))
        cluster = Card(id=session.next_id(session.cards), kind=first.kind, text=title, group_id=None,
                       author=None, order=first.order, created=ctx.clock(), source=Source(cmd.source).value,
                       links=sorted({x for m in members for x in m.links}), is_cluster=True)
        pairs.append((None, cluster))
    pairs.extend((m, copy_card(m, cluster=cluster.id)) for m in members)
    return Change("cluster.merge", card_patch(*pairs), cluster.id)


def split_cluster(ctx: Context, cmd: SplitCluster) -> Change:
    session = ctx.session
    cluster = find_card(session, cmd.cluster_id)
    if not cluster.is_cluster:
        raise ValidationError("That note is not a cluster.")
    if any(str(cluster.id) in r.get("cards", {}) for r in session.votes.values()):
        raise ValidationError("Votes were cast on this cluster as a whole; it stays together so they still count.")
    members = session.members(cluster.id)
    pairs: list[tuple[Card | None, Card | None]] = [(cluster, None), *((m, copy_card(m, cluster=None))
                                                                       for m in members)]
    pairs.extend(unlinked_from(session, cluster.id, lambda c: False))
    return Change("cluster.split", card_patch(*pairs), members[0].id if members else None)


HANDLERS: dict[type, Handler] = {
    OpenVoting: open_voting, CloseVoting: close_voting, RevealVotes: reveal_votes, CastVote: cast_vote,
    MergeCards: merge_cards, SplitCluster: split_cluster,
}

LABELS = {
    "vote.open": "open voting", "vote.close": "close voting", "vote.reveal": "show votes",
    "vote.conceal": "hide votes", "vote.cast": "vote", "vote.take": "take back a vote",
    "cluster.merge": "cluster", "cluster.split": "split cluster",
}
