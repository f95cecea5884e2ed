"""The one error type a user can cause and fix: the command line prints its message as one line."""

from __future__ import annotations


class UserError(ValueError):
    """A missing or malformed input, or a bad setting; the message names the culprit and the fix."""
