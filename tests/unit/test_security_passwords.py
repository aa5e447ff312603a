"""Argon2PasswordHasher: argon2id at OWASP's parameters or above, off the event loop.

Each hash costs tens of milliseconds, so the module shares one hasher and hashes little.
"""

import asyncio
import time

import pytest

from adapters.security import Argon2PasswordHasher

PASSWORD = "correct horse battery"


@pytest.fixture(scope="module")
def hasher() -> Argon2PasswordHasher:
    return Argon2PasswordHasher()


def parameters(encoded: str) -> tuple[str, dict[str, int]]:
    """The variant and the m, t, p of an encoded hash: $argon2id$v=19$m=..,t=..,p=..$salt$hash."""
    _, variant, _, params, _, _ = encoded.split("$")
    return variant, {key: int(value) for key, value in (p.split("=") for p in params.split(","))}


async def test_a_hash_is_argon2id_at_owasp_parameters_and_verifies_only_its_password(
    hasher: Argon2PasswordHasher,
) -> None:
    encoded = await hasher.hash(PASSWORD)
    variant, cost = parameters(encoded)
    assert variant == "argon2id"
    assert cost["m"] >= 19 * 1024
    assert cost["t"] >= 2
    assert cost["p"] == 1
    assert PASSWORD not in encoded
    assert await hasher.verify(encoded, PASSWORD)
    started = time.process_time()  # CPU time, every thread's: a busy machine cannot inflate it
    assert not await hasher.verify(encoded, "wrong password")
    known = time.process_time() - started
    started = time.process_time()
    assert not await hasher.verify(None, "wrong password")
    unknown = time.process_time() - started
    assert unknown > known / 10  # a real argon2 check (µs for an early return)


@pytest.mark.parametrize("stored", ["not-a-hash", "$argon2id$v=19$m=1,t=1,p=1$x$y"])
async def test_a_broken_hash_never_verifies(hasher: Argon2PasswordHasher, stored: str) -> None:
    assert await hasher.verify(stored, PASSWORD) is False


@pytest.mark.parametrize(
    "weaker", [{"memory_kib": 19 * 1024 - 1}, {"time_cost": 1}, {"parallelism": 0}]
)
def test_parameters_below_owasp_are_refused(weaker: dict[str, int]) -> None:
    with pytest.raises(ValueError, match="OWASP"):
        Argon2PasswordHasher(**weaker)


async def test_hashing_runs_off_the_event_loop(hasher: Argon2PasswordHasher) -> None:
    hashing = asyncio.create_task(hasher.hash(PASSWORD))
    await asyncio.sleep(0)  # one turn of the loop: the task has begun its hash
    assert not hashing.done()  # a hash on the loop's thread would have run to its end
    assert (await hashing).startswith("$argon2id$")
