"""Models the team keeps in state under a field its annotations do not type."""

from __future__ import annotations

from pydantic import BaseModel


class Receipt(BaseModel):
    shop: str
    total: float
