"""Tracking tokens are unguessable: random, URL-safe, at least 48 bits, never sequential."""

import base64
import re

import pytest

from links.models import new_token
from tests.factories import make_link


def test_tokens_are_url_safe_and_carry_at_least_48_random_bits():
    """Each token decodes to at least 6 random bytes and needs no escaping in a URL."""
    tokens = [new_token() for _ in range(10_000)]
    assert all(re.fullmatch(r"[A-Za-z0-9_-]+", token) for token in tokens)
    assert all(len(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))) * 8 >= 48 for token in tokens)


def test_ten_thousand_tokens_are_all_different():
    """No collisions in a large batch."""
    assert len({new_token() for _ in range(10_000)}) == 10_000


def test_consecutive_tokens_are_not_neighbours():
    """Knowing one token tells nothing about the next one."""
    numbers = [int.from_bytes(base64.urlsafe_b64decode(new_token() + "=")) for _ in range(1_000)]
    assert all(abs(a - b) > 2**32 for a, b in zip(numbers, numbers[1:]))
    assert len({token[0] for token in (new_token() for _ in range(1_000))}) > 50


@pytest.mark.django_db
def test_links_created_in_a_row_do_not_get_tokens_in_order():
    """Token order does not follow creation order, unlike ids."""
    tokens = [make_link(email=f"p{n}@company.com").token for n in range(20)]
    assert tokens != sorted(tokens)
    assert len(set(tokens)) == 20
