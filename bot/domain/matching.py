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
    # Work on precomputed plain values: a round scores every pair once.
    facts = [_facts(person, now) for person in people]
    ties = [rng.random() for _ in people]
    options = [
        (-_points(facts[i], facts[j]), ties[i] + ties[j], i, j)
        for i in range(len(people))
        for j in range(i + 1, len(people))
        if not forbidden or pair_key(people[i].id, people[j].id) not in forbidden
    ]
    options.sort()
    taken: set[int] = set()
    groups: list[list[Candidate]] = []
    for _, _, i, j in options:
        a, b = people[i], people[j]
        if a.id not in taken and b.id not in taken:
            groups.append([a, b])
            taken.update((a.id, b.id))
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
