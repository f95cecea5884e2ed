"""The README's results and docs/benchmark.md are what ``python -m benchmarks.pages`` writes from the
committed results now, and the figures can be drawn from them."""

from __future__ import annotations

from benchmarks import figures
from benchmarks.pages import ROOT, render
from benchmarks.published import load_all

README = ROOT / "README.md"


def test_generated_pages_match_the_committed_results():
    for path, text in render(load_all()).items():
        assert path.read_text() == text, f"{path.relative_to(ROOT)} is stale: run 'python -m benchmarks.pages'"


def test_the_figures_are_drawn_from_the_committed_results(tmp_path):
    drawn = figures.write_all(load_all(), tmp_path)
    for path in drawn:
        assert path.read_bytes().startswith(b"\x89PNG"), path
        assert (ROOT / "docs" / "figures" / path.name).is_file(), f"{path.name} is not committed under docs/figures/"
    assert "](docs/figures/test-rmse.png)" in README.read_text()


def test_the_readme_stays_a_front_door():
    text = README.read_text()
    assert len(text.splitlines()) <= 250
    assert text.index("make sweep") < text.index("make test") < 400  # the two commands open it
    assert text.count("<!-- make-sweep-output -->") == 1 and text.count("<!-- /make-sweep-output -->") == 1


def test_the_readme_shows_what_the_main_job_prints_from_the_committed_tables():
    """The closing lines of `make sweep` in the README are what the current code prints from today's tables."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("champion_sweep", ROOT / "sweeps" / "champion.py")
    sweep = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(sweep)
    assert sweep.preset_beside_baselines() in README.read_text()
