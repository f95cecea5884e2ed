"""``gsdrp data fetch`` over real HTTP: a server on 127.0.0.1 serves copies of the staged files under
their public names (and the derived ones as a mirror of the raw folder); prepare then runs on the result."""

from __future__ import annotations

import functools
import gzip
import shutil
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from gsdrp.cli import main
from gsdrp.config import DataConfig
from gsdrp.data.fetch import PUBLIC_SOURCES
from gsdrp.data.genesets import read_gmt
from gsdrp.data.raw import RAW_FILES

# The staged copy of what each public URL serves (the paper's sample tables are staged gzipped).
PUBLISHED_AS = {
    "landmark_genes.txt": "genes/lincs_l1000_landmark_genes.tsv",
    "hallmark_949.json": "genesets/gs_chemdrp_hallmark_949.json",
    "go_clusters_949.json": "genesets/gs_chemdrp_go_clusters_949.json",
    "sample_train.csv": "paper_sample/gs_chemdrp_sample_train.csv.gz",
    "sample_valid.csv": "paper_sample/gs_chemdrp_sample_valid.csv.gz",
    "sample_test.csv": "paper_sample/gs_chemdrp_sample_test.csv.gz",
    "Cell_Lines_Details.xlsx": "cells/gdsc_cell_lines_details.xlsx",
    "h.all.v2023.1.Hs.symbols.gmt": "genesets/h.all.v2023.1.Hs.symbols.gmt",
}


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


def build_site(site: Path, raw_dir: Path) -> None:
    for source in PUBLIC_SOURCES.values():
        for url in source.urls:
            staged = raw_dir / PUBLISHED_AS[url.rsplit("/", 1)[-1]]
            target = site / url.removeprefix("https://")
            target.parent.mkdir(parents=True, exist_ok=True)
            opener = gzip.open if staged.suffix == ".gz" else open
            with opener(staged, "rb") as src, open(target, "wb") as dst:
                shutil.copyfileobj(src, dst)
    for key, entry in RAW_FILES.items():
        if key not in PUBLIC_SOURCES:
            (site / "raw" / entry.path).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(raw_dir / entry.path, site / "raw" / entry.path)


@pytest.fixture()
def mirror(tmp_path, raw_dir):
    site = tmp_path / "site"
    build_site(site, raw_dir)
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(site)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.mark.slow
def test_fetch_fills_the_raw_folder_and_prepare_succeeds_on_it(mirror, tmp_path, raw_dir, capsys):
    fetched = tmp_path / "raw"
    main(["data", "fetch", "--raw", str(fetched), "--mirror", mirror])
    out = capsys.readouterr().out
    assert "derive by hand" not in out
    assert {p.relative_to(fetched).as_posix() for p in fetched.rglob("*") if p.is_file()} == {
        e.path for e in RAW_FILES.values()
    }
    hallmark = RAW_FILES["hallmark_gmt"].path
    assert {n: set(g) for n, _, g in read_gmt(fetched / hallmark)} == {n: set(g) for n, _, g in read_gmt(raw_dir / hallmark)}

    main(["data", "prepare", "--raw", str(fetched), "--prepared", str(tmp_path / "prepared")])
    assert "944 cell lines" in capsys.readouterr().out
    assert (tmp_path / "prepared" / DataConfig().cache_name / "summary.json").is_file()


def test_fetch_from_a_dead_mirror_is_one_line_and_writes_nothing(tmp_path, monkeypatch):
    monkeypatch.delenv("GSDRP_FETCH_MIRROR", raising=False)
    dead = "http://127.0.0.1:9"  # the discard port: nothing listens there
    with pytest.raises(SystemExit) as exit_info:
        main(["data", "fetch", "--raw", str(tmp_path / "raw"), "--mirror", dead])
    assert str(exit_info.value.code).startswith(f"gsdrp data fetch: error: cannot download {dead}/raw/")
    assert not any(p.is_file() for p in (tmp_path / "raw").rglob("*"))
