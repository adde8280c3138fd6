"""Scoring the self-reflection, against figures worked out by hand (see each test's comment)."""

from __future__ import annotations

import pytest

from coprod_tui.core.reading.appraisal import appraise, compare_appraisals
from coprod_tui.core.commands import Source
from coprod_tui.core.commands import DeleteReflection, SubmitReflection
from coprod_tui.core.commands import SetPhase
from coprod_tui.core.errors import ValidationError
from coprod_tui.core.hub import new_session
from coprod_tui.core.model import Role
from coprod_tui.core.store.folder import SessionFolder


@pytest.fixture
def hub(tmp_path):
    hub = new_session(SessionFolder(tmp_path), "Reflection", "", [("Carers", "carers", None)],
                      clock=lambda: "2025-03-12T10:00:00.000+00:00")
    yield hub
    hub.close()


def answer(hub, role: str, scores: dict[str, int], now: int | None = None, target: int | None = None,
           phone: str | None = None) -> None:
    hub.apply(SubmitReflection(role=role, scores=scores, ladder_now=now, ladder_target=target, participant=phone,
                               source=Source.PHONE if phone else Source.FACILITATOR))


def test_means_per_principle_ignore_dont_know_and_count_it(hub):
    # equality: carer 1 and 2 (eq1, eq2), practitioner 3 and 4 → (1+2+3+4)/4 = 2.5; eq3 "don't know" twice
    answer(hub, "carers", {"eq1": 1, "eq2": 2, "eq3": 0})
    answer(hub, "practitioners", {"eq1": 3, "eq2": 4, "eq3": 0})
    a = appraise(hub.session)
    equality = a.principles["equality"]
    assert (equality.mean, equality.answered, equality.dont_know) == (2.5, 4, 2)
    assert a.principles["diversity"].mean is None  # nobody scored it: no number, not zero
    assert a.statements["eq3"].mean is None and a.statements["eq3"].dont_know == 2


def test_a_gap_is_flagged_where_carers_score_lower_than_staff(hub):
    # staff (practitioner 4, commissioner 3 on eq1) mean 3.5; carers 2 → gap 1.5 ≥ 0.5; people 3.5 → no gap
    answer(hub, "carers", {"eq1": 2})
    answer(hub, "practitioners", {"eq1": 4})
    answer(hub, "commissioners", {"eq1": 3})
    answer(hub, "people", {"eq1": 4})
    answer(hub, "people", {"eq1": 3})
    a = appraise(hub.session)
    assert [(g.principle, g.role, g.theirs, g.staff) for g in a.gaps] == [("equality", Role.CARERS, 2.0, 3.5)]
    assert a.staff["equality"].mean == 3.5 and a.by_role[Role.PEOPLE]["equality"].mean == 3.5
    assert not a.single_role


def test_a_gap_of_exactly_the_threshold_counts(hub):
    # staff: 2, 2, 3 over three answers… (2+2+3+2+2+2)/6 = 13/6; carers (2+2+1)/3 = 5/3; 13/6 - 5/3 = 0.5 exactly
    answer(hub, "practitioners", {"eq1": 2, "eq2": 2})
    answer(hub, "practitioners", {"eq1": 3, "eq2": 2})
    answer(hub, "commissioners", {"eq1": 2, "eq2": 2})
    answer(hub, "carers", {"eq1": 2, "eq2": 2, "eq3": 1})
    assert [g.principle for g in appraise(hub.session).gaps] == ["equality"]


def test_a_single_role_session_has_no_spread_and_no_gaps(hub):
    answer(hub, "carers", {"eq1": 1, "ac1": 4}, now=2, target=7)
    answer(hub, "carers", {"eq1": 3, "ac1": 2}, now=4, target=6)
    a = appraise(hub.session)
    assert a.single_role and a.gaps == [] and list(a.by_role) == [Role.CARERS]
    assert a.principles["equality"].mean == 2.0 and a.principles["accessibility"].mean == 3.0
    assert (a.ladder.now.mean, a.ladder.target.mean) == (3.0, 6.5)


def test_the_lowest_statements_and_the_ladder_by_role(hub):
    answer(hub, "people", {"eq1": 1, "di1": 2, "ac1": 3, "re1": 4}, now=3, target=7)
    answer(hub, "practitioners", {"eq1": 2, "di1": 2, "ac1": 4, "re1": 4}, now=5)
    a = appraise(hub.session)
    assert [(s.id, mean) for s, mean in a.lowest] == [("eq1", 1.5), ("di1", 2.0), ("ac1", 3.5)]
    assert a.ladder.now.mean == 4.0 and a.ladder.target.mean == 7.0  # one target given
    assert a.ladder_by_role[Role.PEOPLE].now.mean == 3.0 and a.ladder_by_role[Role.PRACTITIONERS].target.mean is None


def test_a_phone_answering_again_replaces_its_answer_and_a_deleted_answer_stops_counting(hub):
    hub.apply(SetPhase(index=5))  # phones answer during the Reflection phase
    answer(hub, "carers", {"eq1": 1}, phone="phone-aaaaaaaa")
    answer(hub, "carers", {"eq1": 4}, phone="phone-aaaaaaaa")
    answer(hub, "carers", {"eq1": 2})
    a = appraise(hub.session)
    assert a.responses == 2 and a.principles["equality"].mean == 3.0
    hub.apply(DeleteReflection(reflection_id="f1"))
    assert appraise(hub.session).principles["equality"].mean == 4.0


@pytest.mark.parametrize("scores, now, message", [
    ({"zz9": 2}, None, "Unknown statement"), ({"eq1": 5}, None, "scored 1 to 4"), ({"eq1": True}, None, "scored"),
    ({}, 8, "rung from 1 to 7"), ({}, None, "at least one question"),
])
def test_bad_answers_are_refused_with_a_clear_reason(hub, scores, now, message):
    with pytest.raises(ValidationError, match=message):
        answer(hub, "carers", scores, now=now)
    assert hub.session.reflections == {}


def test_movement_between_two_reflections(hub, tmp_path):
    answer(hub, "carers", {"eq1": 1, "di1": 3}, now=3)
    earlier = appraise(hub.session)
    answer(hub, "practitioners", {"eq1": 4}, now=5)
    progress = compare_appraisals(earlier, appraise(hub.session))
    # equality 1 → (1+4)/2 = 2.5: +1.5; diversity 3 → 3: 0; ladder now 3 → 4: +1
    assert progress.principles["equality"].change == 1.5 and progress.principles["diversity"].change == 0
    assert progress.principles["feedback"].change is None and progress.ladder_now.change == 1.0
    assert progress.responses == (1, 2)
