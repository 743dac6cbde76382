"""Shared fixtures: the personas' world and fast password hashing."""

from __future__ import annotations

import pytest

from safepassage.testing import World, build_world, restore_seed_data


@pytest.fixture(autouse=True)
def _fast_hashing(settings):
    # Argon2 is deliberately slow; tests that check hashing itself override this again.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def world(db) -> World:
    """Two agencies, a small area tree and one user per role."""
    return build_world()


@pytest.fixture(autouse=True)
def _seed_data(request: pytest.FixtureRequest) -> None:
    """What the migrations seed is there for every test that uses the database, even after a test that
    committed for real emptied every table (see testing.restore_seed_data)."""
    uses_db = request.node.get_closest_marker("django_db") is not None or {
        "db",
        "transactional_db",
        "live_server",
    } & set(request.fixturenames)
    if uses_db:
        request.getfixturevalue("_django_db_helper")
        restore_seed_data()
