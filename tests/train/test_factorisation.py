"""Matrix factorisation on cell lines it never saw: they are predicted as the average known one."""

from __future__ import annotations

import dataclasses

import numpy as np
import torch

from gsdrp.baselines.factorisation import FactorisationConfig, FactorisationModel


def test_unseen_cell_lines_are_predicted_as_the_average_known_cell_line(real_data):
    rng = np.random.default_rng(0)
    held_out = rng.choice(np.unique(real_data.cell_idx), 20, replace=False)
    blind = np.isin(real_data.cell_idx, held_out)
    part = np.full_like(real_data.part, 9)
    part[rng.choice(np.flatnonzero(~blind), 7500, replace=False)] = 0
    part[rng.choice(np.flatnonzero(part == 0), 1500, replace=False)] = 1
    part[rng.choice(np.flatnonzero(blind), 1000, replace=False)] = 2
    data = dataclasses.replace(real_data, part=part)
    model = FactorisationModel(FactorisationConfig(max_epochs=3), screen_covariate=False)
    model.fit(data, seed=0)

    test = data.rows("test")
    train_cells = data.cell_idx[data.rows("train")]
    weight = torch.as_tensor(np.bincount(train_cells, minlength=len(data.cells)) / len(train_cells), dtype=torch.float32)
    seen = torch.as_tensor(np.unique(train_cells))
    with torch.no_grad():
        for drug in np.unique(data.drug_idx[test])[:5]:
            per_cell = model.factors(seen, torch.full_like(seen, int(drug)), torch.zeros(len(seen)))
            expected = float(weight[seen] @ per_cell)
            predicted = model.predict(data, test[data.drug_idx[test] == drug])
            np.testing.assert_allclose(predicted, expected, rtol=1e-4)


def test_pair_shift_learns_a_gdsc2_shift_that_depends_on_the_drug(real_data):
    """Add a GDSC2-only shift of +-2 that depends on the drug: one global offset cannot fit it, the pair
    shift's own factorisation can (its drug biases), so validation RMSE on GDSC2 rows must fall clearly below."""
    rng = np.random.default_rng(1)
    part = np.full_like(real_data.part, 9)
    part[rng.choice(len(part), 30000, replace=False)] = 0
    part[rng.choice(np.flatnonzero(part == 0), 5000, replace=False)] = 1
    shift = rng.choice([-2.0, 2.0], len(real_data.drugs)).astype(np.float32)
    y = real_data.y + real_data.gdsc2 * shift[real_data.drug_idx]
    data = dataclasses.replace(real_data, part=part, y=y)
    val = data.rows("val")
    gdsc2_val = val[data.gdsc2[val] == 1]
    errors = {}
    for effect in ("global", "pair"):
        model = FactorisationModel(FactorisationConfig(max_epochs=40, screen_effect=effect), screen_covariate=True)
        model.fit(data, seed=0)
        errors[effect] = float(np.sqrt(np.mean((model.predict(data, gdsc2_val) - y[gdsc2_val]) ** 2)))
    assert errors["pair"] < errors["global"] - 0.1, errors
