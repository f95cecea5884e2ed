"""Append the rows and learning curves of ``benchmarks/parallel_fits.sh`` (its OUT folder) to
``benchmarks/results/<split>/``; a fit whose key (model, screen, seed, settings) is there already is
skipped and printed beside the one kept, so a repeated fit shows how far two runs of it differ."""

from __future__ import annotations

import argparse
import json
import tarfile
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"


def key(row: dict) -> tuple:
    return row["model"], row["screen"], row["seed"], row["settings"]


def merge(out: Path, results: Path = RESULTS) -> None:
    for rows_file in sorted(out.glob("*.jsonl")):
        log = results / rows_file.stem / "results.jsonl"
        kept = {key(r): r for r in map(json.loads, log.read_text().splitlines())}
        added = 0
        with log.open("a") as handle:
            for row in map(json.loads, rows_file.read_text().splitlines()):
                if key(row) in kept:
                    print(f"{rows_file.stem} {key(row)[:3]}: kept rmse {kept[key(row)]['rmse']:.4f} ({kept[key(row)].get('machine', 'no machine recorded')}), "
                          f"skipped {row['rmse']:.4f} ({row['machine']})")
                    continue
                handle.write(json.dumps(row) + "\n")
                kept[key(row)] = row
                added += 1
        print(f"{rows_file.stem}: {added} rows added")
    with tarfile.open(out / "curves.tar.gz") as archive:  # <job>/<split>/curves/<fit>.{json,png}
        for member in archive.getmembers():
            parts = Path(member.name).parts
            target = results / parts[1] / "curves" / parts[-1] if len(parts) == 4 and parts[2] == "curves" else None
            if member.isfile() and target and not target.exists():
                target.write_bytes(archive.extractfile(member).read())


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("out", type=Path, help="the OUT folder of benchmarks/parallel_fits.sh")
    merge(parser.parse_args().out)
