"""Placeholder replaced below."""

from __future__ import annotations


def sanctions_event_study(*args, **kwargs):  # pragma: no cover - replaced
    raise NotImplementedError
