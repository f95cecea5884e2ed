"""Checks of the files and folders a command will write, made before any work starts."""

from __future__ import annotations

import os
from pathlib import Path

from gsdrp.errors import UserError


def check_output_file(path: Path, flag: str) -> None:
    """``path`` can be created or overwritten as a file: its folder exists and is writable."""
    if path.is_dir():
        raise UserError(f"{flag} {path} is a folder: give a file name, e.g. {path / 'predictions.csv'}")
    folder = path.parent
    if not folder.is_dir():
        raise UserError(f"{flag} {path}: folder {folder} does not exist (create it with 'mkdir -p {folder}')")
    if not os.access(folder, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise UserError(f"{flag} {path}: no permission to write there")


def check_output_folder(path: Path, flag: str) -> None:
    """``path`` is a folder, or can be created as one: its nearest existing ancestor is a writable folder."""
    existing = next(p for p in (path, *path.parents) if p.exists())
    if not existing.is_dir():
        raise UserError(f"{flag} {path}: {existing} is a file, not a folder")
    if not os.access(existing, os.W_OK):
        raise UserError(f"{flag} {path}: no permission to write in {existing}")
