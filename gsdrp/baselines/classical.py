"""Classical models on [cell expression genes; drug Morgan fingerprint (radius 2, 1024 bits)].

With ``screen_covariate`` a GDSC2 indicator column is appended. Random forest (50k pairs) and the
MLP (100k pairs) fit on a seeded subsample of the training rows (``max_train_rows``), and the
tree models use modest sizes, to fit a 2-core CPU budget; the README states these settings.
"""

from __future__ import annotations

import numpy as np
import xgboost as xgb
from rdkit import Chem
from rdkit.Chem import rdFingerprintGenerator
from sklearn.ensemble import RandomForestRegressor
from sklearn.linear_model import Ridge
from sklearn.neural_network import MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from gsdrp.data.dataset import Dataset

FINGERPRINT_BITS = 1024


def morgan_fingerprints(smiles: list[str]) -> np.ndarray:
    generator = rdFingerprintGenerator.GetMorganGenerator(radius=2, fpSize=FINGERPRINT_BITS)
    return np.stack([generator.GetFingerprintAsNumPy(Chem.MolFromSmiles(s)) for s in smiles]).astype(np.float32)


def features(data: Dataset, rows: np.ndarray, fingerprints: np.ndarray, screen: bool) -> np.ndarray:
    parts = [data.expression[data.cell_idx[rows]], fingerprints[data.drug_idx[rows]]]
    if screen:
        parts.append(data.gdsc2[rows, None])
    return np.hstack(parts)


def _estimator(kind: str, seed: int):
    if kind == "ridge":
        return make_pipeline(StandardScaler(), Ridge(alpha=100.0))
    if kind == "random_forest":
        return RandomForestRegressor(
            n_estimators=50, max_features=0.1, min_samples_leaf=5, n_jobs=-1, random_state=seed
        )
    if kind == "mlp":
        return make_pipeline(
            StandardScaler(),
            MLPRegressor(
                hidden_layer_sizes=(512, 128), batch_size=512, learning_rate_init=1e-3, alpha=1e-4,
                max_iter=20, early_stopping=True, n_iter_no_change=3, random_state=seed,
            ),
        )
    raise ValueError(f"unknown classical baseline {kind!r}")


class ClassicalPredictor:
    """kind: ``ridge``, ``random_forest``, ``xgboost`` or ``mlp``."""

    DEFAULT_CAPS = {"ridge": None, "xgboost": None, "random_forest": 50_000, "mlp": 100_000}

    def __init__(self, kind: str, screen_covariate: bool = False, max_train_rows: int | None = -1):
        if kind not in self.DEFAULT_CAPS:
            raise ValueError(f"unknown classical baseline {kind!r}")
        self.kind, self.screen_covariate = kind, screen_covariate
        self.max_train_rows = self.DEFAULT_CAPS[kind] if max_train_rows == -1 else max_train_rows
        self.name = kind

    def fit(self, data: Dataset, seed: int = 0) -> None:
        self.fingerprints = morgan_fingerprints(data.smiles)
        rows = data.rows("train")
        if self.max_train_rows and len(rows) > self.max_train_rows:
            rows = np.sort(np.random.default_rng(seed).choice(rows, self.max_train_rows, replace=False))
        x, y = features(data, rows, self.fingerprints, self.screen_covariate), data.y[rows]
        if self.kind == "xgboost":
            val = data.rows("val")
            self.model = xgb.XGBRegressor(
                n_estimators=300, learning_rate=0.15, max_depth=8, subsample=0.8, colsample_bytree=0.3,
                max_bin=64, tree_method="hist", early_stopping_rounds=20, random_state=seed, n_jobs=-1,
            )
            x_val = features(data, val, self.fingerprints, self.screen_covariate)
            self.model.fit(x, y, eval_set=[(x_val, data.y[val])], verbose=False)
        else:
            self.model = _estimator(self.kind, seed).fit(x, y)

    def predict(self, data: Dataset, rows: np.ndarray) -> np.ndarray:
        out = [
            self.model.predict(features(data, chunk, self.fingerprints, self.screen_covariate))
            for chunk in np.array_split(rows, max(1, len(rows) // 50_000))
        ]
        return np.concatenate(out).astype(np.float32)
