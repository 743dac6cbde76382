"""Finding the same person across agencies — API under /api/v1/."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["linkage"])
