"""SPEC §3, User: name, email, password, timestamps, version."""

from datetime import UTC, datetime, timedelta, timezone

import pytest

from domain.errors import InvariantViolated
from domain.users import User, check_password, normalise_email

NOW = datetime(2026, 3, 4, 5, 6, 7, tzinfo=UTC)


def make_user(**overrides: object) -> User:
    fields: dict[str, object] = {
        "name": "Ada",
        "email": "ada@example.com",
        "password_hash": "fake$hash",
        "created_at": NOW,
        "updated_at": NOW,
    }
    fields.update(overrides)
    return User(**fields)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("raw", "stored"),
    [("  Ada  ", "Ada"), ("x", "x"), ("é" * 100, "é" * 100), (" " + "a" * 100 + "\t", "a" * 100)],
)
def test_a_name_is_trimmed_and_kept(raw: str, stored: str) -> None:
    assert make_user(name=raw).name == stored


@pytest.mark.parametrize("bad", ["", "   ", "a" * 101, "Ada\x00Lovelace", "A\x07", "a\x7fb"])
def test_a_name_must_be_1_to_100_characters_without_control_characters(bad: str) -> None:
    with pytest.raises(InvariantViolated) as caught:
        make_user(name=bad)
    assert caught.value.field == "name"


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        ("Ada@Example.COM", "ada@example.com"),
        ("  ada@example.com\n", "ada@example.com"),
        ("a.b+tag@sub.example.org", "a.b+tag@sub.example.org"),
    ],
)
def test_an_email_is_stored_trimmed_and_lower_case(raw: str, stored: str) -> None:
    assert normalise_email(raw) == stored
    assert make_user(email=raw).email == stored


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "ada",
        "@example.com",
        "ada@",
        "ada@example",
        "ada@.example.com",
        "ada@example.com.",
        "a da@example.com",
        "ada@exa\x00mple.com",
        "ada@b@example.com",
        "a" * 250 + "@x.io",
    ],
)
def test_a_bad_email_is_refused(bad: str) -> None:
    with pytest.raises(InvariantViolated) as caught:
        normalise_email(bad)
    assert caught.value.field == "email"


@pytest.mark.parametrize("password", ["p" * 8, "p" * 128, "ünïcødé!"])
def test_a_password_of_8_to_128_characters_is_accepted(password: str) -> None:
    assert check_password(password) == password


@pytest.mark.parametrize("password", ["", "p" * 7, "p" * 129])
def test_a_password_outside_8_to_128_characters_is_refused(password: str) -> None:
    with pytest.raises(InvariantViolated) as caught:
        check_password(password)
    assert caught.value.field == "password"


def test_a_new_user_is_active_not_admin_and_at_version_1() -> None:
    user = User.register(name="Ada", email="Ada@Example.com", password_hash="h", now=NOW)
    assert (user.is_active, user.is_admin, user.version) == (True, False, 1)
    assert user.created_at == user.updated_at == NOW


def test_each_change_adds_one_to_the_version_and_moves_updated_at() -> None:
    user = make_user()
    later = NOW + timedelta(minutes=5)
    once = user.change(now=later, name="Grace")
    twice = once.change(now=later + timedelta(minutes=1), is_admin=True)
    assert (once.version, twice.version) == (2, 3)
    assert (once.name, twice.name, twice.is_admin) == ("Grace", "Grace", True)
    assert once.updated_at == later
    assert twice.created_at == NOW


def test_a_change_is_checked_like_a_new_user() -> None:
    with pytest.raises(InvariantViolated):
        make_user().change(now=NOW, email="not an email")


def test_timestamps_are_kept_in_utc() -> None:
    paris = timezone(timedelta(hours=1))
    user = make_user(created_at=datetime(2026, 1, 1, 13, tzinfo=paris))
    assert user.created_at == datetime(2026, 1, 1, 12, tzinfo=UTC)
    assert user.created_at.utcoffset() == timedelta(0)


def test_a_naive_timestamp_is_refused() -> None:
    with pytest.raises(InvariantViolated) as caught:
        make_user(updated_at=datetime(2026, 1, 1))  # noqa: DTZ001 - the point of the test
    assert caught.value.field == "updated_at"


@pytest.mark.parametrize("version", [0, -1])
def test_a_version_starts_at_1(version: int) -> None:
    with pytest.raises(InvariantViolated):
        make_user(version=version)


def test_an_empty_password_hash_is_refused() -> None:
    with pytest.raises(InvariantViolated):
        make_user(password_hash="")


def test_the_hash_never_shows_in_a_user_repr() -> None:
    assert "secret-hash" not in repr(make_user(password_hash="secret-hash"))


def test_restore_rebuilds_a_user_from_storage_without_checking_it_again() -> None:
    # Values no constructor would accept prove the checks did not run.
    restored = User.restore(
        {
            "id": 4,
            "name": " Ada ",
            "email": "Ada@Example.com",
            "password_hash": "fake$hash",
            "is_active": False,
            "is_admin": True,
            "created_at": NOW,
            "updated_at": NOW,
            "version": 2,
        }
    )
    assert (restored.name, restored.email) == (" Ada ", "Ada@Example.com")
    assert (restored.id, restored.is_active, restored.is_admin, restored.version) == (
        4,
        False,
        True,
        2,
    )
    constructed = make_user(name=" Ada ", email="Ada@Example.com")
    assert (constructed.name, constructed.email) == ("Ada", "ada@example.com")
    with pytest.raises(InvariantViolated):
        make_user(password_hash="")


def test_a_restored_user_equals_the_user_it_was_stored_from_and_stays_frozen() -> None:
    user = make_user(id=9, version=3)
    restored = User.restore(
        {
            "id": user.id,
            "name": user.name,
            "email": user.email,
            "password_hash": user.password_hash,
            "is_active": user.is_active,
            "is_admin": user.is_admin,
            "created_at": user.created_at,
            "updated_at": user.updated_at,
            "version": user.version,
        }
    )
    assert restored == user
    with pytest.raises(AttributeError):
        restored.email = "other@example.com"  # type: ignore[misc]
    assert restored.change(now=NOW + timedelta(seconds=1), email=" B@X.io ").email == "b@x.io"
