"""Loaded by pytest before Django starts (`-p safepassage.pytest_plugin`): test-run defaults for settings.

Settings are read from the environment once, at start-up, so these must be in place before then.
"""

import os
import tempfile

# As `safepassage` and the WSGI app do: what the tests write into DATA_DIR is private, or the next worker's
# start-up would refuse the folder.
os.umask(0o077)
os.environ.setdefault("PLAIN_STATIC", "1")  # templates resolve static files without a collectstatic run
os.environ.setdefault("DATA_DIR", tempfile.mkdtemp(prefix="safepassage-test-"))
# Tests reach no tile server: maps must work without one.
os.environ.setdefault("MAP_TILE_URL", "")
os.environ.setdefault("SATELLITE_TILE_URL", "")
