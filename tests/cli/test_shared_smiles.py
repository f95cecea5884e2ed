"""A SMILES that two trained GDSC drugs share (one compound screened under two names) is answered with
both drugs' identity embeddings, averaged, as matrix factorisation answers it."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pandas as pd

from gsdrp.config import ModelConfig, TrainConfig
from gsdrp.tracking.pyfunc import cell_features, predict_pairs
from gsdrp.train.loop import Trainer, load_checkpoint, save_checkpoint


def test_a_shared_smiles_gets_the_mean_of_both_drug_identities(tiny_data, tmp_path):
    trainer = Trainer(tiny_data, ModelConfig(dim=16, heads=2, identity=True), TrainConfig(max_epochs=1, train_fraction=0.05))
    trainer.fit()
    save_checkpoint(tmp_path / "checkpoint.pt", trainer)
    model, state = load_checkpoint(tmp_path / "checkpoint.pt")
    identity_drugs = state["identity_drugs"]
    trained = set(tiny_data.drug_idx[trainer.train_rows])
    shared = {s for s, n in Counter(tiny_data.smiles).items() if n > 1}
    assert {s for s, ids in identity_drugs.items() if len(ids) > 1} == {
        s for s in shared if sum(i in trained for i, t in enumerate(tiny_data.smiles) if t == s) > 1
    }
    smiles, twins = next((s, ids) for s, ids in identity_drugs.items() if len(ids) > 1)
    assert [tiny_data.smiles[i] for i in twins] == [smiles, smiles]

    cells = cell_features(tiny_data)
    table = pd.DataFrame({"cell_line": tiny_data.cells[:3], "smiles": [smiles] * 3})
    answer = lambda drugs: predict_pairs(  # noqa: E731
        model, state["model_config"]["encoder"], cells, table, state["identity_cells"], drugs
    )["prediction"].to_numpy()
    both = answer(identity_drugs)
    each = [answer({**identity_drugs, smiles: [i]}) for i in twins]
    assert np.abs(each[0] - each[1]).max() > 1e-4  # the two identities answer differently
    np.testing.assert_allclose(both, np.mean(each, axis=0), rtol=0, atol=1e-5)
