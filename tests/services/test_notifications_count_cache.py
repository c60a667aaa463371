"""The header's unread count is shared through Redis when configured, so that reading
notifications through one instance updates the header on every instance at once."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from app.db import db
from app.services import notifications
from tests import factories


class FakeRedis:
    """The three commands the cache uses, over a dict (two 'processes' share one of these)."""

    def __init__(self) -> None:
        self.data: dict[str, bytes] = {}

    def get(self, key: str) -> bytes | None:
        return self.data.get(key)

    def set(self, key: str, value: str, ex: int) -> None:
        assert ex > 0
        self.data[key] = value.encode()

    def delete(self, key: str) -> None:
        self.data.pop(key, None)


@pytest.fixture
def shared() -> Iterator[FakeRedis]:
    fake = FakeRedis()
    notifications._shared["redis"] = fake
    notifications._counts.clear()
    try:
        yield fake
    finally:
        notifications.configure_count_cache("")


def test_marking_all_read_clears_the_shared_count_for_every_process(session, shared: FakeRedis) -> None:
    person = factories.user()
    notifications.notify([person.id], "proposal.supported", "proposal", 1)
    assert notifications.unread_count_cached(person, "s1") == 1
    assert shared.data == {f"ponte:unread:{person.id}": b"s1|1"}
    # Nothing in this process's memory: another instance reads the same value.
    assert notifications._counts == {}
    notifications.mark_all_read(person)
    assert shared.data == {}
    assert notifications.unread_count_cached(person, "s1") == 0
    db.session.flush()


def test_a_new_login_session_counts_again(session, shared: FakeRedis) -> None:
    person = factories.user()
    notifications.remember_count(person, "old-session", 7)
    assert notifications.unread_count_cached(person, "old-session") == 7
    assert notifications.unread_count_cached(person, "new-session") == 0


def test_redis_down_falls_back_to_counting(session, shared: FakeRedis, monkeypatch: pytest.MonkeyPatch) -> None:
    person = factories.user()

    def down(*args: object) -> None:
        raise ConnectionError("redis is down")

    monkeypatch.setattr(shared, "get", down)
    monkeypatch.setattr(shared, "set", down)
    monkeypatch.setattr(shared, "delete", down)
    assert notifications.unread_count_cached(person, "s") == 0
    notifications.mark_all_read(person)
