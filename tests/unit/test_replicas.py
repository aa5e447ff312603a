"""Choosing a replica (adapters/sqlalchemy/replicas.py) and the consistency token."""

from typing import Any, cast

from adapters.sqlalchemy.replicas import Replica, ReplicaSet
from application.consistency import format_token, parse_token


class _Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def _set(*replayed: int | None) -> tuple[ReplicaSet, list[Replica], _Clock]:
    clock = _Clock()
    replicas = [Replica(f"r{n}", cast(Any, None), cast(Any, None)) for n in range(len(replayed))]
    for replica, position in zip(replicas, replayed, strict=True):
        replica.replayed = position
    chosen = ReplicaSet(cast(Any, None), replicas, max_lag=1.0, clock=clock)
    return chosen, replicas, clock


def test_a_token_is_served_only_by_a_replica_that_replayed_past_it() -> None:
    chosen, (behind, ahead), _ = _set(10, 20)
    assert chosen.choose(15) is ahead
    assert chosen.choose(25) is None  # the primary then
    assert behind.replayed == 10


def test_lag_is_the_age_of_the_newest_primary_position_a_replica_covers() -> None:
    chosen, (replica,), clock = _set(None)
    chosen._history.extend([(10, 100.0), (20, 101.0), (30, 102.0)])
    clock.now = 102.5
    assert chosen._lag(30) == 0.0  # caught up
    assert chosen._lag(25) == 1.5  # has what the primary had at 101.0
    assert chosen._lag(5) == float("inf")
    replica.replayed, replica.lag = 25, chosen._lag(25)
    assert chosen.choose(None) is None  # past the 1 s bound
    replica.lag = 0.5
    assert chosen.choose(None) is replica


def test_a_down_replica_is_left_out() -> None:
    chosen, (down, up), _ = _set(None, 5)
    down.lag = 0.0  # fresh once, but it did not answer the last sample
    up.lag = 0.0
    assert all(chosen.choose(None) is up for _ in range(4))
    assert chosen.choose(1) is up


def test_tokens_round_trip_and_garbled_ones_are_none() -> None:
    assert parse_token(format_token(0x16B3F28)) == 0x16B3F28
    for garbled in ("", "zz", "-1", "1" * 17, "0x10", " "):
        assert parse_token(garbled) is None, garbled
