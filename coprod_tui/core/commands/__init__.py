"""Every change to a session, from any front end, is one of these commands (the package's face: import from here).

base: what all commands share and the Event an applied one becomes; cards: the board itself (cards, links, groups,
the title, moderation, undo); room: steering the room (phases, hidden writing, votes, clusters, timer, breakouts);
method: the self-reflection, the plan and "you said, we did".
"""

from __future__ import annotations

from coprod_tui.core.commands.base import Source, Command, Event
from coprod_tui.core.commands.cards import (
    CardDraft, AddCard, ImportCards, EditCard, DeleteCard, MoveCard, SwapCards, SetCardGroup, ToggleLink, AddGroup,
    EditGroup, EditSession, HideCard, SetSubmissions, RotateTokens, Undo, Redo)
from coprod_tui.core.commands.room import (
    SetPhase, EditPhases, HoldNotes, RevealNotes, OpenVoting, CloseVoting, RevealVotes, CastVote, MergeCards,
    SplitCluster, StartTimer, PauseTimer, ResumeTimer, ExtendTimer, StopTimer, MarkDone, StartBreakout,
    EndBreakout, PickCard, ParkCard)
from coprod_tui.core.commands.method import (
    SubmitReflection, DeleteReflection, ActionDraft, AddAction, EditAction, DeleteAction, SetActionDone,
    SetReviewDate, SetResponse)

__all__ = [
    "Source", "Command", "Event", "CardDraft", "AddCard", "ImportCards", "EditCard", "DeleteCard", "MoveCard",
    "SwapCards", "SetCardGroup", "ToggleLink", "AddGroup", "EditGroup", "EditSession", "HideCard",
    "SetSubmissions", "RotateTokens", "Undo", "Redo", "SetPhase", "EditPhases", "HoldNotes", "RevealNotes",
    "OpenVoting", "CloseVoting", "RevealVotes", "CastVote", "MergeCards", "SplitCluster", "StartTimer",
    "PauseTimer", "ResumeTimer", "ExtendTimer", "StopTimer", "MarkDone", "StartBreakout", "EndBreakout",
    "PickCard", "ParkCard", "SubmitReflection", "DeleteReflection", "ActionDraft", "AddAction", "EditAction",
    "DeleteAction", "SetActionDone", "SetReviewDate", "SetResponse",
]
