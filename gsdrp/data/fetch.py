"""Rebuild the raw folder from public origins (needs internet; never called at run time).

Files with a direct URL are downloaded; derived files (joins, format conversions described in
``shared/data/SOURCES.md``) are listed with their origin so they can be rebuilt by hand.
"""

from __future__ import annotations

import shutil
import urllib.request
from pathlib import Path

from gsdrp.data.raw import RAW_FILES


def fetch(raw_dir: Path, overwrite: bool = False) -> list[str]:
    """Download what can be downloaded; return the files that must be derived by hand."""
    manual = []
    for entry in RAW_FILES.values():
        target = raw_dir / entry.path
        if target.exists() and not overwrite:
            continue
        if not entry.origin.startswith("https://") or " " in entry.origin:
            manual.append(f"{entry.path}: {entry.origin}")
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_suffix(target.suffix + ".part")
        with urllib.request.urlopen(entry.origin, timeout=60) as response, open(partial, "wb") as handle:
            shutil.copyfileobj(response, handle)
        partial.rename(target)
    return manual
