"""How long one introduction round takes to match a large complex (run by hand).

    python benchmarks/matching.py
"""

import random
import time
import tracemalloc
from datetime import UTC, datetime, timedelta

from bot.domain.matching import Candidate, match

INTERESTS = ["music", "sports", "cooking", "games", "films", "study", "diy", "culture"]
NOW = datetime(2026, 3, 2, 18, 0, tzinfo=UTC)


def main() -> None:
    rng = random.Random(1)
    for size in (100, 500, 1000, 2000):
        people = [
            Candidate(i, rng.choice("ABCD"), frozenset(rng.sample(INTERESTS, 2)),
                      NOW - timedelta(days=rng.randint(0, 400)))
            for i in range(size)
        ]
        tracemalloc.start()
        started = time.perf_counter()
        groups = match(people, set(), NOW, seed=1)
        elapsed = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        print(f"{size:5d} residents: {len(groups):4d} groups in {elapsed:6.2f} s, "
              f"peak {peak / 2**20:6.1f} MiB")


if __name__ == "__main__":
    main()
