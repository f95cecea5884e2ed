"""The one interface every model implements: naive, classical, matrix factorisation and GS-ChemDRP.

A model is built from its typed hyperparameter config and the screen-covariate switch, fits on a
``Dataset``'s training rows (validation rows for early stopping), predicts any rows, and saves to
and loads from a folder. ``gsdrp.zoo`` finds every model by name.
"""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from gsdrp.config import from_flat_dict, to_flat_dict
from gsdrp.data.dataset import Dataset

MANIFEST = "model.json"


@dataclass
class FitReport:
    budget: dict[str, Any]  # what training actually used: epochs run, best epoch, trees, rows seen
    history: list[dict[str, float]] = field(default_factory=list)  # per-epoch metrics of iterative models


class DrugResponseModel(ABC):
    """Subclasses set ``config_class`` (a frozen dataclass) and implement fit, predict and their state."""

    config_class: ClassVar[type]
    collection: str | None = None  # the gene-set collection the model needs its dataset built with, if any

    def __init__(self, name: str, config: Any, screen_covariate: bool):
        self.name, self.config, self.screen_covariate = name, config, screen_covariate

    @abstractmethod
    def fit(self, data: Dataset, seed: int) -> FitReport:
        """Fit on the training rows; validation rows only for early stopping."""

    @abstractmethod
    def predict(self, data: Dataset, rows: np.ndarray) -> np.ndarray:
        """ln IC50 predictions (float32) for dataset rows."""

    @abstractmethod
    def save_state(self, folder: Path) -> None:
        """Write what ``fit`` learned into ``folder``."""

    @abstractmethod
    def load_state(self, folder: Path) -> None:
        """Read what ``save_state`` wrote."""

    def flat_config(self) -> dict[str, Any]:
        """The config as a flat dict of plain values (what results and manifests record)."""
        return to_flat_dict(self.config)

    @classmethod
    def config_from_flat(cls, values: dict[str, Any]) -> Any:
        return from_flat_dict(cls.config_class, values)

    def hyperparameters(self) -> dict[str, Any]:
        return {"screen_covariate": self.screen_covariate, **self.flat_config()}

    def save(self, folder: Path) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        manifest = {"name": self.name, "screen_covariate": self.screen_covariate, "config": self.flat_config()}
        (folder / MANIFEST).write_text(json.dumps(manifest, indent=1))
        self.save_state(folder)
        return folder


def read_manifest(folder: Path) -> tuple[str, dict[str, Any], bool]:
    """A saved model's registry name, flat config and screen-covariate switch."""
    manifest = json.loads((folder / MANIFEST).read_text())
    return manifest["name"], manifest["config"], manifest["screen_covariate"]

