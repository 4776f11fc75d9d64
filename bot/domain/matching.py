"""Who to introduce to whom: a pure, seeded matcher for one introduction round.

Pairs are scored (shared interests, same building, a newcomer with someone who has lived
there longer) and picked greedily, best first; a pair introduced in the recent rounds is
never repeated. With an odd number of people, the one left over joins the pair that suits
them best as a trio. The same input and seed always give the same groups.
"""

import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

NEWCOMER_PERIOD = timedelta(days=30)
SHARED_INTEREST_POINTS = 3
SHARED_INTEREST_CAP = 3
SAME_BUILDING_POINTS = 4
NEWCOMER_MIX_POINTS = 2


@dataclass(frozen=True)
class Candidate:
    id: int
    building: str | None
    interests: frozenset[str]
    joined_at: datetime


def building_key(building: str | None) -> str | None:
    """"B, 3rd floor" and "b" are the same building: the part before the first comma."""
    if not building:
        return None
    key = building.split(",", 1)[0].strip().casefold()
    return key or None


def pair_key(a: int, b: int) -> frozenset[int]:
    return frozenset((a, b))


Facts = tuple[str | None, frozenset[str], bool]


def _facts(person: Candidate, now: datetime) -> Facts:
    return building_key(person.building), person.interests, now - person.joined_at < NEWCOMER_PERIOD


def _points(a: Facts, b: Facts) -> int:
    points = SHARED_INTEREST_POINTS * min(len(a[1] & b[1]), SHARED_INTEREST_CAP)
    if a[0] is not None and a[0] == b[0]:
        points += SAME_BUILDING_POINTS
    if a[2] != b[2]:
        points += NEWCOMER_MIX_POINTS
    return points


def score(a: Candidate, b: Candidate, now: datetime) -> int:
    return _points(_facts(a, now), _facts(b, now))


def match(
    candidates: Sequence[Candidate],
    recent_pairs: Iterable[frozenset[int]],
    now: datetime,
    seed: int,
) -> list[tuple[int, ...]]:
    """Groups of two (and at most one of three) candidate ids; nobody appears twice."""
    forbidden = set(recent_pairs)
    rng = random.Random(seed)
    people = sorted(candidates, key=lambda person: person.id)
    rng.shuffle(people)
    # Pairs are taken best first: by points, then by their random tie-break, then by
    # position. Points are few small numbers, so the pairs are put in a bucket per points
    # (scored once, on plain values: a bit per interest) and each bucket is sorted only
    # when it is reached, without the pairs whose people were taken by better buckets.
    index_of = {person.id: index for index, person in enumerate(people)}
    barred: set[tuple[int, int]] = set()
    for pair in forbidden:
        ends = [index_of[person] for person in pair if person in index_of]
        if len(ends) == 2:
            barred.add((min(ends), max(ends)))
    bits = {interest: 1 << n for n, interest in enumerate(
        sorted({i for person in people for i in person.interests}))}
    facts = [_facts(person, now) for person in people]
    masks = [sum(bits[interest] for interest in fact[1]) for fact in facts]
    ties = [rng.random() for _ in people]
    buckets: dict[int, list[tuple[float, int, int]]] = {}
    for i in range(len(people)):
        building_i, _, new_i = facts[i]
        mask_i, tie_i = masks[i], ties[i]
        for j in range(i + 1, len(people)):
            if barred and (i, j) in barred:
                continue
            building_j, _, new_j = facts[j]
            points = SHARED_INTEREST_POINTS * min((mask_i & masks[j]).bit_count(),
                                                  SHARED_INTEREST_CAP)
            if building_i is not None and building_i == building_j:
                points += SAME_BUILDING_POINTS
            if new_i != new_j:
                points += NEWCOMER_MIX_POINTS
            buckets.setdefault(points, []).append((tie_i + ties[j], i, j))
    chosen: set[int] = set()  # positions in `people`
    groups: list[list[Candidate]] = []
    for points in sorted(buckets, reverse=True):
        for _, i, j in sorted(pair for pair in buckets[points]
                              if pair[1] not in chosen and pair[2] not in chosen):
            if i not in chosen and j not in chosen:
                groups.append([people[i], people[j]])
                chosen.update((i, j))
    taken = {people[i].id for i in chosen}
    left = [person for person in people if person.id not in taken]
    if len(people) % 2 == 1 and left:
        _add_to_trio(left[0], groups, forbidden, now)
    return [tuple(person.id for person in group) for group in groups]


def _add_to_trio(
    person: Candidate, groups: list[list[Candidate]], forbidden: set[frozenset[int]],
    now: datetime,
) -> None:
    best: tuple[int, int] | None = None
    for index, group in enumerate(groups):
        if len(group) != 2 or any(pair_key(person.id, other.id) in forbidden for other in group):
            continue
        points = sum(score(person, other, now) for other in group)
        if best is None or points > best[0]:
            best = (points, index)
    if best is not None:
        groups[best[1]].append(person)


def best_partner(
    person: Candidate, others: Sequence[Candidate], recent_pairs: Iterable[frozenset[int]],
    now: datetime,
) -> int | None:
    """The one neighbour who suits `person` best right now (for /meet), if any."""
    forbidden = set(recent_pairs)
    allowed = [o for o in others if o.id != person.id and pair_key(person.id, o.id)
               not in forbidden]
    if not allowed:
        return None
    return max(allowed, key=lambda other: (score(person, other, now), -other.id)).id
