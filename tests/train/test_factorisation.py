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
