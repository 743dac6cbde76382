"""SafePassage: a shared database for the agencies that protect children, women and migrant workers."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("safepassage")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+source"
