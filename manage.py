#!/usr/bin/env python3
"""Django's manage.py; `safepassage` does the same once installed."""

from safepassage.cli import main

if __name__ == "__main__":
    main()
