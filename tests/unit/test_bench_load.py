"""bench/load.py: a load run either serves every call or fails; failures never count as throughput."""

from __future__ import annotations

import pytest

from bench.load import LoadError, run_concurrently


def test_every_call_served_gives_a_rate_and_one_latency_per_call():
    made = []
    rate, latencies = run_concurrently(lambda i: made.append(i) or 201, 50, 4)
    assert sorted(made) == list(range(50)) and len(latencies) == 50 and rate > 0


@pytest.mark.parametrize("failure", ["status", "exception"])
def test_one_failed_call_fails_the_run_naming_it(failure):
    def call(i):
        if i == 7:
            if failure == "exception":
                raise ConnectionResetError("peer went away")
            return 503
        return 200

    with pytest.raises(LoadError, match="call 7: (HTTP 503|ConnectionResetError: peer went away); this run gives no figure"):
        run_concurrently(call, 40, 4)
