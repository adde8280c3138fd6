"""Naming the replay's phase marks from the session's own phase list.

The core's marks (`core.replay.Replay.marks`) know where each phase ended but not its name: a `phase.set` event's
patch carries only the new index. The names are in the session's phases *as they were then* (a later edit may have
renamed them), so they are followed through the events here.
"""

from __future__ import annotations

from dataclasses import replace

from ..core.commands import Event
from ..core.replay import Mark
from ..core.running import DEFAULT_PHASES


def phase_marks(events: list[Event], marks: list[Mark]) -> list[Mark]:
    """The marks with each phase mark named from the session's phase list at that point ("End of Problems").

    A `phase.set` event's patch carries only the new index (meta {"phase": 2}), so the names are looked up in the
    phases as they were then: the meta records are followed through every event (undo and redo included)."""
    phases = [p.name for p in DEFAULT_PHASES]
    current = 0
    labels: dict[int, str] = {}
    for index, event in enumerate(events):
        _before, after = event.patch.get("meta", {}).get("1", (None, None))
        ending = phases[min(current, len(phases) - 1)] if phases else ""
        if isinstance(after, dict):
            if isinstance(after.get("phases"), list) and after["phases"]:
                phases = [str(p.get("name", "")) if isinstance(p, dict) else "" for p in after["phases"]]
            if isinstance(after.get("phase"), int):
                current = after["phase"]
        if event.type == "phase.set" and index > 0:
            labels[index] = f"End of {ending}" if ending else "End of phase"
        elif event.type == "phase.edit" and index > 0:
            labels[index] = "Phases edited"
    return [replace(m, label=labels[m.position], short=labels[m.position])
            if m.kind == "phase" and m.position in labels else m for m in marks]
