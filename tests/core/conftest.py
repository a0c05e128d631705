"""Fixtures for the core tests, shared with the accounts tests."""

from __future__ import annotations

from tests.accounts.conftest import make_app, outbox

__all__ = ["make_app", "outbox"]
