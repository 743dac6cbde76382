"""Imports keep their files under DATA_DIR: each test gets its own."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path
