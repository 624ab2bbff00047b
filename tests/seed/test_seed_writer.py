"""BatchWriteItem retries: UnprocessedItems and throttling are retried with growing (jittered) delays,
attempts are bounded, other errors stop at once with a clear message. Fake clients, no endpoint."""

from __future__ import annotations

import threading

import pytest
from botocore.exceptions import ClientError

from tablekit.seed.problems import SeedWriteError
from tablekit.seed.writer import Backoff, Writer, put_requests

TABLE = "t"


def _items(n: int) -> list[dict]:
    return put_requests({"pk": {"S": f"k{i}"}} for i in range(n))


def _throttle(code: str = "ProvisionedThroughputExceededException") -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": "slow down"}}, "BatchWriteItem")


class FakeClient:
    """Answers each call from a script: an exception to raise, or how many of the batch to leave unprocessed."""

    def __init__(self, script: list[object]):
        self.script = list(script)
        self.calls: list[int] = []
        self.lock = threading.Lock()

    def batch_write_item(self, RequestItems: dict) -> dict:  # boto3's parameter name
        (requests,) = RequestItems.values()
        assert len(requests) <= 25, "BatchWriteItem takes at most 25 requests"
        with self.lock:
            self.calls.append(len(requests))
            step = self.script.pop(0) if self.script else 0
        if isinstance(step, Exception):
            raise step
        left = requests[len(requests) - int(step) :] if step else []
        return {"UnprocessedItems": {TABLE: left} if left else {}}


def _backoff(delays: list[float], **kwargs) -> Backoff:
    # jitter returns its upper bound so the delays are deterministic and observable.
    return Backoff(sleep=delays.append, jitter=lambda upper: upper, **kwargs)


def test_unprocessed_items_are_retried_with_growing_delays() -> None:
    client, delays = FakeClient([20, 10, 3, 0]), []
    writer = Writer(lambda: client, workers=1, backoff=_backoff(delays, base=0.05, cap=1.0))
    stats = writer.run({TABLE: _items(25)})
    assert client.calls == [25, 20, 10, 3]  # only what was left is re-sent
    assert delays == [0.05, 0.1, 0.2]
    assert stats[TABLE].items == 25 and stats[TABLE].retries == 3


@pytest.mark.parametrize(
    "code", ["ProvisionedThroughputExceededException", "ThrottlingException", "RequestLimitExceeded"]
)
def test_throttling_errors_retry_the_whole_batch(code: str) -> None:
    client, delays = FakeClient([_throttle(code), _throttle(code), 0]), []
    stats = Writer(lambda: client, workers=1, backoff=_backoff(delays, base=0.1, cap=10)).run({TABLE: _items(7)})
    assert client.calls == [7, 7, 7]
    assert delays == [0.1, 0.2]
    assert stats[TABLE].retries == 2 and stats[TABLE].items == 7


def test_delays_are_capped_and_attempts_bounded() -> None:
    client, delays = FakeClient([_throttle()] * 20), []
    writer = Writer(lambda: client, workers=1, backoff=_backoff(delays, base=0.1, cap=0.4, max_attempts=6))
    with pytest.raises(
        SeedWriteError,
        match=r"t: 5 item\(s\) still not written after 6 attempts "
        r"\(ProvisionedThroughputExceededException\).*re-running is safe",
    ):
        writer.run({TABLE: _items(5)})
    assert len(client.calls) == 6
    assert delays == [0.1, 0.2, 0.4, 0.4, 0.4]


def test_full_jitter_stays_within_the_exponential_ceiling() -> None:
    backoff = Backoff(base=0.05, cap=2.0, sleep=lambda _: None)
    for retry in range(1, 10):
        ceiling = min(2.0, 0.05 * 2 ** (retry - 1))
        assert backoff.ceiling(retry) == ceiling
        assert all(0.0 <= backoff.wait(retry) <= ceiling for _ in range(50))


def test_other_errors_stop_at_once_with_the_fix() -> None:
    missing = ClientError({"Error": {"Code": "ResourceNotFoundException", "Message": "no"}}, "BatchWriteItem")
    client = FakeClient([missing])
    with pytest.raises(SeedWriteError, match=r"table t does not exist at the endpoint: apply the environment first"):
        Writer(lambda: client, workers=1, backoff=_backoff([])).run({TABLE: _items(3)})
    assert client.calls == [3]


def test_parallel_workers_batch_by_25_and_use_one_client_per_thread() -> None:
    made: list[FakeClient] = []

    def factory() -> FakeClient:
        made.append(FakeClient([]))
        return made[-1]

    stats = Writer(factory, workers=3, backoff=_backoff([])).run({TABLE: _items(1000), "u": _items(10)})
    calls = [n for client in made for n in client.calls]
    assert sorted(calls) == sorted([25] * 40 + [10])
    assert 1 <= len(made) <= 3  # at most one client per worker thread
    assert stats[TABLE].items == 1000 and stats["u"].items == 10
