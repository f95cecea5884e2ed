# Two entry points: `make sweep` (the main job) and `make test`. Both create .venv on first use.
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: install sweep test docs data benchmark benchmark-data benchmark-train clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || python3 -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	# CPU torch first, so no dependency pulls a CUDA build (GPU nodes install their own torch).
	$(BIN)/pip install -q torch==2.13.0
	$(BIN)/pip install -q -e '.[test,docs]'
	touch $(STAMP)

install: $(STAMP)

data: install
	$(BIN)/gsdrp data prepare

# The main job: a small full-data sweep, its champion promoted to models:/gsdrp@champion and used.
# Tune's warning about frequent experiment snapshots is silenced: every epoch checkpoints on purpose.
sweep: data
	TUNE_WARN_EXCESSIVE_EXPERIMENT_CHECKPOINT_SYNC_THRESHOLD_S=0 $(BIN)/python sweeps/champion.py

test: install
	$(BIN)/python -m pytest

# The documentation site (mkdocs.yml, docs/) into site/; any warning fails the build.
docs: install
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict --site-dir site

benchmark-data: data
	$(BIN)/python benchmarks/data_speed.py

clean:
	rm -rf $(VENV) data/prepared

benchmark-train: data
	$(BIN)/python benchmarks/train_speed.py

benchmark: data
	bash benchmarks/run_all.sh
