"""Recognise the same note written twice, months apart and by different people.

Used by `compare` to say which problems persist. The words differ ("can't get a break at weekends" / "cannot get a
weekend break"), so equality is not enough; but a false match is worse than none — it would tell a commissioner
a problem persisted when it was a different one. Hence a measure that can be explained in one sentence, and a
threshold that errs on the side of "not the same":

* Text is normalised (accents and punctuation removed, case folded, "can't" = "cannot", a tiny stop-word list,
  crude plural stripping). Equal normalised text is "the same" (score 1.0) and is paired first.
* Other pairs score `0.6 × weighted word overlap + 0.4 × character similarity`. The overlap is a Jaccard index
  whose words are weighted by rarity (IDF, counted within each list): in a carers' session "carer" is on every card
  and says little, while "weekend" or "transport" say what a card is about. The character part (difflib) rewards
  the same words in the same order — or in another order — and forgives small spelling differences.
* Pairs scoring at least `THRESHOLD` are taken greedily, best first, each note used once; ties go to list order,
  so the result is deterministic.

Only pairs that could reach the threshold are scored: an inverted index finds the notes sharing one of a note's
rarest words (prefix filtering, which provably loses no qualifying pair), so 2,000 notes against 2,000 cost a few
thousand comparisons, not four million. Pure Python, no I/O.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Sequence
from difflib import SequenceMatcher
from functools import lru_cache

# Calibrated on pairs of real-sounding notes among other notes of a carers' session (tests/core/test_compare.py keeps
# them). Rewordings scored 0.66 ("Transport to the day centre is unreliable" / "The transport to day centres is not
# reliable") to 0.8, and 0.999 for the same words in another order; notes sharing their subject but not their point
# ("Carers need more breaks" / "Carers need more information") 0.64 at most. One swapped key word in an otherwise
# equal sentence ("Waiting lists for assessments / for respite are too long", 0.74) IS paired: no word-based
# measure can tell those apart, which is why the compare screen shows each pair's similarity next to both texts.
# Scores depend a little on the other notes (rare words weigh more), so a pair alone in two tiny sessions scores
# higher than among fifty notes that all mention carers.
THRESHOLD = 0.65
OVERLAP_WEIGHT = 0.6
# Each note's difflib comparison is made with at most this many notes: those with the highest word overlap. Real
# sessions rarely give a note more than a handful above the overlap floor; this bounds pathological ones (2,000 notes
# made of the same dozen words took ten seconds without it) at the price of, there, perhaps missing a lesser pair.
MAX_CANDIDATES = 25
# Notes longer than this (in words, both together) are compared as bags of words rather than character by character:
# difflib is quadratic, and in a long note the word overlap has already decided.
LONG_WORDS = 40

# Negations ("not", "no") are deliberately absent: "enough staff" and "not enough staff" are different notes.
STOP_WORDS = frozenset(
    "a an the and or but of to in on at for by with from as is are was were be been being it its this that these "
    "those there their they them we our us i me my you your he she his her so do does did has have had will would "
    "just very really also".split()
)
_CONTRACTIONS = (
    (re.compile(r"\bcan['’]t\b"), "can not"),
    (re.compile(r"\bcannot\b"), "can not"),
    (re.compile(r"\bwon['’]t\b"), "will not"),
    (re.compile(r"\bshan['’]t\b"), "shall not"),
    (re.compile(r"n['’]t\b"), " not"),
    (re.compile(r"['’](?:s|re|ve|ll|d|m)\b"), ""),
)
_WORD = re.compile(r"[^\W_]+")  # letters and digits of any script


def normalise(text: str) -> tuple[str, ...]:
    """The words that carry a note's meaning, in order: the basis of both "same" and similarity."""
    plain = text.casefold()
    if not plain.isascii():
        plain = "".join(ch for ch in unicodedata.normalize("NFKD", plain) if not unicodedata.combining(ch))
    if "'" in plain or "’" in plain or "cannot" in plain:
        for pattern, replacement in _CONTRACTIONS:
            plain = pattern.sub(replacement, plain)
    return tuple(_singular(w) for w in _WORD.findall(plain) if w not in STOP_WORDS)


@lru_cache(maxsize=1 << 16)
def _singular(word: str) -> str:
    """Crude plural stripping ("weekends" = "weekend", "families" = "family"). Both sides get the same treatment,
    so a wrong stem ("buses" → "buse") costs nothing unless only one side uses the plural."""
    if len(word) <= 3 or not word.isalpha():
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("sses", "ches", "shes", "xes")):
        return word[:-2]
    if word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def match(earlier: Sequence[str], later: Sequence[str]) -> list[tuple[int, int, float]]:
    """Pair texts one-to-one: (index in earlier, index in later, score), in earlier order; unpaired are left out."""
    e_words = [normalise(t) for t in earlier]
    l_words = [normalise(t) for t in later]
    pairs: dict[int, tuple[int, float]] = {}
    used: set[int] = set()

    # Equal after normalisation: "the same". Notes with no words at all (emoji only) must be equal as typed.
    waiting: dict[object, list[int]] = {}
    for j, text in enumerate(later):
        waiting.setdefault(_key(text, l_words[j]), []).append(j)
    for i, text in enumerate(earlier):
        queue = waiting.get(_key(text, e_words[i]))
        if queue:
            j = queue.pop(0)
            pairs[i] = (j, 1.0)
            used.add(j)

    rest_e = [i for i in range(len(earlier)) if i not in pairs and e_words[i]]
    rest_l = [j for j in range(len(later)) if j not in used and l_words[j]]
    for negative, i, j in sorted(_candidates(rest_e, rest_l, e_words, l_words)):
        if i not in pairs and j not in used:
            pairs[i] = (j, -negative)
            used.add(j)
    return [(i, j, score) for i, (j, score) in sorted(pairs.items())]


def _key(text: str, words: tuple[str, ...]) -> object:
    return words if words else ("", " ".join(text.casefold().split()))


def _candidates(rest_e: list[int], rest_l: list[int], e_words: list[tuple[str, ...]],
                l_words: list[tuple[str, ...]]) -> list[tuple[float, int, int]]:
    """Pairs scoring at least THRESHOLD, as (-score, earlier index, later index) so that sorting puts best first."""
    e_sets = {i: frozenset(e_words[i]) for i in rest_e}
    l_sets = {j: frozenset(l_words[j]) for j in rest_l}
    # A word's rarity is counted within each session (the higher of the two counts): counted over both, every word
    # a pair shares would look twice as common as the words it doesn't, just because the pair itself uses it.
    df_e: dict[str, int] = {}
    df_l: dict[str, int] = {}
    for counts, bags in ((df_e, e_sets), (df_l, l_sets)):
        for bag in bags.values():
            for w in bag:
                counts[w] = counts.get(w, 0) + 1
    df = {w: max(df_e.get(w, 0), df_l.get(w, 0)) for w in df_e.keys() | df_l.keys()}
    total = max(len(e_sets), len(l_sets))
    weight = {w: math.log(1 + total / n) for w, n in df.items()}
    postings: dict[str, list[int]] = {}
    for j in rest_l:
        for w in l_sets[j]:
            postings.setdefault(w, []).append(j)
    # math.fsum: exact, so a sum does not depend on the (per-process) order of a set: same input, same scores.
    l_mass = {j: math.fsum(weight[w] for w in bag) for j, bag in l_sets.items()}
    # score <= OVERLAP_WEIGHT * overlap + (1 - OVERLAP_WEIGHT): lower overlaps can never reach the threshold.
    min_overlap = (THRESHOLD - (1 - OVERLAP_WEIGHT)) / OVERLAP_WEIGHT
    found: list[tuple[float, int, int]] = []
    for i in rest_e:
        bag = e_sets[i]
        mass = math.fsum(weight[w] for w in bag)
        # Prefix filtering: a note sharing none of the rarest words making up more than (1 - min_overlap) of this
        # note's weight shares at most min_overlap of it, so it cannot qualify. Only those words' notes are looked at.
        prefix: list[str] = []
        covered = 0.0
        for w in sorted(bag, key=lambda word: (df[word], word)):
            if covered > (1 - min_overlap) * mass:
                break
            prefix.append(w)
            covered += weight[w]
        unseen = mass - covered  # what the other words could add at most
        rare_shared: dict[int, float] = {}
        for w in prefix:
            for j in postings[w] if w in postings else ():
                rare_shared[j] = rare_shared.get(j, 0.0) + weight[w]
        overlaps: list[tuple[float, int]] = []
        for j in sorted(rare_shared):
            most = rare_shared[j] + unseen
            if most / (mass + l_mass[j] - most) < min_overlap:
                continue  # even sharing every word outside the prefix it could not get there
            shared = math.fsum(weight[w] for w in bag & l_sets[j])
            overlap = shared / (mass + l_mass[j] - shared)
            if overlap >= min_overlap:
                overlaps.append((-overlap, j))
        for negative, j in sorted(overlaps)[:MAX_CANDIDATES]:
            overlap = -negative
            floor = (THRESHOLD - OVERLAP_WEIGHT * overlap) / (1 - OVERLAP_WEIGHT)
            similar = _similarity(e_words[i], l_words[j], floor)
            score = min(OVERLAP_WEIGHT * overlap + (1 - OVERLAP_WEIGHT) * similar, 0.999)  # 1.0 means "the same"
            if score >= THRESHOLD:
                found.append((-score, i, j))
    return found


def _similarity(a: tuple[str, ...], b: tuple[str, ...], floor: float) -> float:
    """difflib's ratio of the words in order or sorted, whichever is higher (0.0 when it cannot reach `floor`).

    Sorted words count because a reworded note often says the same in another order ("bookings for respite" /
    "respite bookings"). Short notes compare by character, which forgives small spelling differences. Long notes
    compare their words as a bag (what the ratio of sorted word lists comes to): difflib is quadratic, and in a long
    note word order adds little to what the overlap already says.
    """
    if len(a) + len(b) > LONG_WORDS:
        return SequenceMatcher(None, a, b, autojunk=False).quick_ratio()
    matcher = SequenceMatcher(None, " ".join(a), " ".join(b), autojunk=False)
    if matcher.quick_ratio() < floor:  # an upper bound of both ratios (the same characters, in another order)
        return 0.0
    return max(matcher.ratio(), SequenceMatcher(None, " ".join(sorted(a)), " ".join(sorted(b)), autojunk=False).ratio())
