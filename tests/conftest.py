"""Shared fixtures: the personas' world and fast password hashing."""

from __future__ import annotations

import pytest

from safepassage.testing import World, build_world


@pytest.fixture(autouse=True)
def _fast_hashing(settings):
    # Argon2 is deliberately slow; tests that check hashing itself override this again.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def world(db) -> World:
    """Two agencies, a small area tree and one user per role."""
    return build_world()
