"""The demo session's second half: the steering (phases, a vote on options), the practical plan and the
self-reflection — so a newcomer who opens the demo sees the appraisal and the plan at once.

The answers are made up but shaped like real rooms: staff rate the partnership higher than people who use services
and carers do, most of all on equality and reciprocity — the gap the appraisal exists to show.
"""

from __future__ import annotations

from collections.abc import Callable

from coprod_tui.core.commands import Source
from coprod_tui.core.commands import ActionDraft, AddAction, SetResponse, SetReviewDate, SubmitReflection
from coprod_tui.core.commands import CastVote, CloseVoting, OpenVoting, RevealVotes, SetPhase
from coprod_tui.core.hub import Hub

# Statement scores in method order: eq1 eq2 eq3 di1 di2 di3 ac1 ac2 ac3 re1 re2 re3 fb1 fb2 fb3 (0 = don't know).
ORDER = ("eq1", "eq2", "eq3", "di1", "di2", "di3", "ac1", "ac2", "ac3", "re1", "re2", "re3", "fb1", "fb2", "fb3")
ANSWERS: list[tuple[str, int, int, str, dict[str, str]]] = [
    # role, ladder now, ladder target, scores, evidence
    ("people", 3, 7, "221 221 222 110 121", {"eq1": "We were asked what we thought after it was all decided."}),
    ("people", 3, 6, "120 212 321 101 211", {"ac2": "The papers came the night before, in small print."}),
    ("carers", 4, 7, "222 221 212 111 221", {"re2": "My bus fare took three months to come back."}),
    ("carers", 3, 7, "121 211 221 211 121", {}),
    ("practitioners", 5, 7, "333 222 333 232 222", {"fb1": "We send a summary after each meeting."}),
    ("practitioners", 5, 6, "332 212 323 322 221", {}),
    ("commissioners", 5, 7, "433 222 333 333 222", {}),
    ("community", 4, 7, "232 111 221 221 121", {"di1": "Whole communities never hear about these meetings."}),
]

# (contribution key, what, who, who's role, by, resources, recognition, note, access, feedback)
ACTIONS = [
    ("c-clinics", "Run evening carer's assessment clinics at the Carers' Centre, twice a month", "Carers' Centre and "
     "the council's carers team", "community", "2025-05-01", "A room at the Centre; one assessor for two evenings "
     "a month", "none", "", "Step-free room, hearing loop; interpreters booked on request",
     "Numbers seen each month shared at the carers' forum"),
    ("c-testform", "Test the one-page booking form with four carers before it replaces the 14-page one",
     "Margaret and three carers from her group", "carers", "2025-04-15", "Printed drafts; an hour with the forms "
     "team", "payment", "Involvement payment at the council's current rate, offered with benefits advice",
     "Large-print drafts; meeting at the Centre at 10am after school drop-off",
     "Margaret reports back to the group chat; changes listed in the next newsletter"),
    ("c-trial", "Trial a live sheet of free short-break places for three months", "Sam's team with two providers",
     "practitioners", "2025-07-01", "A shared spreadsheet to start; provider time to update it daily", "", "", "",
     "What worked and what didn't, at the July review meeting"),
    ("c-translate", "Co-write the 'breaks are for you too' leaflet in Urdu, Bengali and Polish",
     "Nasreen and the Centre's volunteers", "community", "2025-06-01", "Printing budget from commissioning",
     "expenses", "Travel and childcare repaid within two weeks", "Sessions in the evening; childcare covered",
     "Drafts shown at the community cafés before printing"),
    ("c-contract", "Change the respite contract at renewal: pay for flexible nights, not fixed beds",
     "Commissioning team", "commissioners", "2025-04-30", "Contract change; no extra cost expected", "", "", "",
     "Explained in plain words in the next carers' newsletter"),
]

# A response the facilitator wrote for "you said, we did" (problem key → why / what happened).
RESPONSES = {
    "p-far": "A closer respite house isn't possible this year: there is no building. Two Shared Lives places in "
             "the north of the borough are being funded instead.",
    "p-directpay": "Fast-tracking direct payments needs a change to the council's approval rules; it goes to the "
                   "June cabinet. We will tell you what they decide.",
}


def scores(line: str) -> dict[str, int]:
    digits = [int(c) for c in line if c.isdigit()]
    return dict(zip(ORDER, digits))


def steer_options_vote(hub: Hub, ids: dict[str, int], wait: Callable[[int], None]) -> None:
    """A vote on options (three dots each, at most two on one): nine phones, then the reveal."""
    hub.apply(OpenVoting(kind="option", per_person=3, per_card=2))
    round_no = hub.session.meta.voting.round  # type: ignore[union-attr]
    groups = [g.id for g in hub.session.groups.values()]
    choices = [("o-live", "o-oneform", "o-oneform"), ("o-thisisme", "o-local", "o-live"),
               ("o-oneform", "o-tellcarers", "o-evenings"), ("o-live", "o-midweek", "o-fasttrack"),
               ("o-oneform", "o-live", "o-local"), ("o-tellcarers", "o-tellcarers", "o-evenings"),
               ("o-fasttrack", "o-oneform", "o-thisisme"), ("o-live", "o-live", "o-midweek"),
               ("o-local", "o-evenings", "o-oneform")]
    for phone, picks in enumerate(choices):
        for key in picks:
            wait(7)
            hub.apply(CastVote(participant=f"demo-phone-{phone:02d}", card_id=ids[key], round=round_no,
                               group_id=groups[phone % len(groups)], source=Source.PHONE))
    hub.apply(CloseVoting())
    hub.apply(RevealVotes())


def plan_and_reflect(hub: Hub, ids: dict[str, int], wait: Callable[[int], None]) -> None:
    """The Plan phase (actions from contributions), then the Reflection phase on phones."""
    hub.apply(SetPhase(index=4))
    for (key, what, who, role, by, resources, recognition, note, access, feedback) in ACTIONS:
        wait(60)
        hub.apply(AddAction(action=ActionDraft(
            what=what, who=who, who_role=role, by=by, resources=resources, recognition=recognition,
            recognition_note=note, access=access, feedback=feedback, card_id=ids[key])))
    hub.apply(SetReviewDate(date="2025-07-10"))
    for key, text in RESPONSES.items():
        hub.apply(SetResponse(card_id=ids[key], text=text))
    hub.apply(SetPhase(index=5))
    for number, (role, now, target, line, evidence) in enumerate(ANSWERS):
        wait(45)
        hub.apply(SubmitReflection(role=role, ladder_now=now, ladder_target=target, scores=scores(line),
                                   evidence=evidence, participant=f"demo-phone-{number:02d}", source=Source.PHONE))
