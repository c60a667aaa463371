"""``next=`` values: only same-origin paths survive."""

from __future__ import annotations

import pytest

from blueprints.common import safe_next

BAD = [
    "https://evil.example/", "//evil.example", "/\\evil.example", "\\\\evil.example", "/\t/evil.example",
    "/%0d%0aLocation:%20https://evil.example", "%2F%2Fevil.example", "/%2F%2Fevil.example",
    "/%252F%252Fevil.example", "javascript:alert(1)", "http:/evil.example", " //evil.example",
    "/\x00", "", None, "evil.example", "/" + "a" * 3000,
]


@pytest.mark.parametrize("value", BAD)
def test_unsafe_next_falls_back_to_default(value) -> None:  # type: ignore[no-untyped-def]
    assert safe_next(value, "/default") == "/default"


@pytest.mark.parametrize("value", ["/", "/me", "/territories/16?page=2", "/auth/login?next=/me"])
def test_local_paths_are_kept(value: str) -> None:
    assert safe_next(value, "/default") == value
