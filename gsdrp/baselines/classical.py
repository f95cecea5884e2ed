"""Classical models on [cell expression genes; drug Morgan fingerprint (radius 2, 1024 bits)].

With ``screen_covariate`` a GDSC2 indicator column is appended. Every model sees all training
pairs: XGBoost stops early on the validation rows (thousands of rounds allowed); the random
forest draws a bootstrap sample of ``max_samples`` of the pairs per tree (the usual way to grow a
forest on many rows); the MLP stops when its own held-out tenth stops improving.
"""

from __future__ import annotations

from abc import abstractmethod
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import joblib
import numpy as np

from gsdrp.data.dataset import Dataset
from gsdrp.data.fingerprints import morgan_fingerprints
from gsdrp.predictor import DrugResponseModel, FitReport

STATE = "estimator.joblib"


def features(expression: np.ndarray, fingerprints: np.ndarray, gdsc2: np.ndarray | None) -> np.ndarray:
    """One row per pair: its cell's expression, its drug's fingerprint and, if given, its GDSC2 share."""
    return np.hstack([expression, fingerprints] + ([gdsc2[:, None]] if gdsc2 is not None else []))


@dataclass(frozen=True)
class RidgeConfig:
    alpha: float = field(default=100.0, metadata={"help": "L2 penalty on standardised features"})


@dataclass(frozen=True)
class RandomForestConfig:
    n_estimators: int = field(default=100, metadata={"help": "trees"})
    max_samples: float = field(default=0.2, metadata={"help": "share of training pairs bootstrapped per tree"})
    max_features: float = field(default=0.1, metadata={"help": "share of features tried per split"})
    min_samples_leaf: int = field(default=5, metadata={"help": "smallest leaf"})


@dataclass(frozen=True)
class XGBoostConfig:
    n_estimators: int = field(default=4000, metadata={"help": "most boosting rounds (early stopping usually ends first)"})
    learning_rate: float = field(default=0.1, metadata={"help": "shrinkage per round"})
    max_depth: int = field(default=8, metadata={"help": "tree depth"})
    min_child_weight: float = field(default=2.0, metadata={"help": "smallest hessian sum in a leaf"})
    subsample: float = field(default=0.8, metadata={"help": "share of rows per round"})
    colsample_bytree: float = field(default=0.3, metadata={"help": "share of features per tree"})
    max_bin: int = field(default=64, metadata={"help": "histogram bins per feature"})
    early_stopping_rounds: int = field(default=50, metadata={"help": "rounds without a better validation RMSE"})


@dataclass(frozen=True)
class MLPConfig:
    hidden_1: int = field(default=512, metadata={"help": "first hidden layer"})
    hidden_2: int = field(default=128, metadata={"help": "second hidden layer"})
    batch_size: int = field(default=512, metadata={"help": "rows per Adam step"})
    learning_rate: float = field(default=1e-3, metadata={"help": "Adam learning rate"})
    alpha: float = field(default=1e-4, metadata={"help": "L2 penalty"})
    max_iter: int = field(default=60, metadata={"help": "most epochs"})
    n_iter_no_change: int = field(default=5, metadata={"help": "epochs without improvement before stopping"})


class ClassicalModel(DrugResponseModel):
    """Shared featurisation, saving and prediction; subclasses build the estimator and fit it."""

    def _x(self, data: Dataset, rows: np.ndarray) -> np.ndarray:
        gdsc2 = data.gdsc2[rows] if self.screen_covariate else None
        return features(data.expression[data.cell_idx[rows]], self.fingerprints[data.drug_idx[rows]], gdsc2)

    def _xy(self, data: Dataset, part: str) -> tuple[np.ndarray, np.ndarray]:
        rows = data.rows(part)
        return self._x(data, rows), data.y[rows]

    def fit(self, data: Dataset, seed: int = 0) -> FitReport:
        self.fingerprints = morgan_fingerprints(data.smiles)
        x, y = self._xy(data, "train")
        budget = self._fit(x, y, data, seed)
        return FitReport({"rows_seen": len(y), **budget})

    @abstractmethod
    def _fit(self, x: np.ndarray, y: np.ndarray, data: Dataset, seed: int) -> dict[str, Any]:
        """Fit ``self.estimator``; return its budget (trees, epochs)."""

    def predict(self, data: Dataset, rows: np.ndarray) -> np.ndarray:
        out = [self.estimator.predict(self._x(data, chunk)) for chunk in np.array_split(rows, max(1, len(rows) // 50_000))]
        return np.concatenate(out).astype(np.float32)

    def predict_features(self, expression: np.ndarray, fingerprints: np.ndarray, gdsc2: np.ndarray) -> np.ndarray:
        """Predictions for pairs outside any dataset (a registered model's input), one row each: the cell's
        expression, the drug's Morgan fingerprint (``morgan_fingerprints``) and the GDSC2 share."""
        x = features(expression, fingerprints, gdsc2 if self.screen_covariate else None)
        return self.estimator.predict(x).astype(np.float32)

    def save_state(self, folder: Path) -> None:
        joblib.dump({"estimator": self.estimator, "fingerprints": self.fingerprints}, folder / STATE)

    def load_state(self, folder: Path) -> None:
        state = joblib.load(folder / STATE)
        self.estimator, self.fingerprints = state["estimator"], state["fingerprints"]


class RidgeModel(ClassicalModel):
    config_class = RidgeConfig

    def __init__(self, config: RidgeConfig = RidgeConfig(), screen_covariate: bool = False):
        super().__init__("ridge", config, screen_covariate)

    def _fit(self, x, y, data, seed):
        from sklearn.linear_model import Ridge
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import StandardScaler

        self.estimator = make_pipeline(StandardScaler(), Ridge(alpha=self.config.alpha)).fit(x, y)
        return {}


class RandomForestModel(ClassicalModel):
    config_class = RandomForestConfig

    def __init__(self, config: RandomForestConfig = RandomForestConfig(), screen_covariate: bool = False):
        super().__init__("random_forest", config, screen_covariate)

    def _fit(self, x, y, data, seed):
        from sklearn.ensemble import RandomForestRegressor

        c = self.config
        self.estimator = RandomForestRegressor(
            n_estimators=c.n_estimators, max_samples=c.max_samples, max_features=c.max_features,
            min_samples_leaf=c.min_samples_leaf, n_jobs=-1, random_state=seed,
        ).fit(x, y)
        return {"trees": c.n_estimators, "rows_per_tree": int(round(c.max_samples * len(y)))}


class XGBoostModel(ClassicalModel):
    config_class = XGBoostConfig

    def __init__(self, config: XGBoostConfig = XGBoostConfig(), screen_covariate: bool = False):
        super().__init__("xgboost", config, screen_covariate)

    def _fit(self, x, y, data, seed):
        import xgboost as xgb

        x_val, y_val = self._xy(data, "val")
        self.estimator = xgb.XGBRegressor(
            **vars(self.config), tree_method="hist", random_state=seed, n_jobs=-1
        ).fit(x, y, eval_set=[(x_val, y_val)], verbose=False)
        return {"trees": int(self.estimator.best_iteration) + 1, "rounds_run": self.estimator.get_booster().num_boosted_rounds()}


class MLPModel(ClassicalModel):
    config_class = MLPConfig

    def __init__(self, config: MLPConfig = MLPConfig(), screen_covariate: bool = False):
        super().__init__("mlp", config, screen_covariate)

    def _fit(self, x, y, data, seed):
        from sklearn.neural_network import MLPRegressor
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import StandardScaler

        c = self.config
        network = MLPRegressor(
            hidden_layer_sizes=(c.hidden_1, c.hidden_2), batch_size=c.batch_size, learning_rate_init=c.learning_rate,
            alpha=c.alpha, max_iter=c.max_iter, early_stopping=True, n_iter_no_change=c.n_iter_no_change,
            random_state=seed,
        )
        self.estimator = make_pipeline(StandardScaler(), network).fit(x, y)
        return {"epochs_run": network.n_iter_}
