"""Training on a small real subset: it learns, it stops on NaN, it checkpoints."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
import torch

from gsdrp.config import ModelConfig, TrainConfig
from gsdrp.encoders.drug import frozen_embeddings
from gsdrp.train.loop import NonFiniteLossError, Trainer, load_checkpoint, save_checkpoint

QUICK = TrainConfig(max_epochs=3, patience=3, batch_size=512, train_fraction=0.03, lr=3e-3)


def test_short_training_lowers_validation_rmse(real_data):
    reports = []
    trainer = Trainer(real_data, ModelConfig(variant="full"), QUICK)
    result = trainer.fit(callback=reports.append)
    assert [r.epoch for r in reports] == [1, 2, 3]
    first, best = result.history[0]["val_rmse"], result.best_val_rmse
    val = real_data.rows("val")
    global_mean_rmse = float(np.sqrt(np.mean((real_data.y[val] - real_data.y[real_data.rows("train")].mean()) ** 2)))
    assert best < first
    assert best < 0.9 * global_mean_rmse
    assert {"train_mse", "train_supcon", "train_sparsity", "train_smooth"} <= set(result.history[0])


def test_nan_loss_names_epoch_and_step(real_data):
    broken = dataclasses.replace(real_data, y=real_data.y.copy())
    broken.y[broken.rows("train")] = np.nan
    trainer = Trainer(broken, ModelConfig(variant="baseline"), QUICK)
    with pytest.raises(NonFiniteLossError, match=r"non-finite training loss \(nan\) at epoch 1, step 1"):
        trainer.fit()


def test_checkpoint_round_trip(real_data, tmp_path):
    trainer = Trainer(real_data, ModelConfig(variant="gating"), dataclasses.replace(QUICK, max_epochs=1))
    trainer.fit()
    rows = real_data.rows("test")[:500]
    expected = trainer.predict(rows).prediction
    save_checkpoint(tmp_path / "model.pt", trainer)
    model, state = load_checkpoint(tmp_path / "model.pt")
    assert state["set_names"] == real_data.set_names
    trainer.model = model
    np.testing.assert_allclose(trainer.predict(rows).prediction, expected, rtol=1e-5, atol=1e-5)


def test_predict_returns_gates_and_attention(real_data):
    trainer = Trainer(real_data, ModelConfig(variant="full"), dataclasses.replace(QUICK, max_epochs=1))
    out = trainer.predict(real_data.rows("test")[:100], keep_weights=True)
    assert out.gates.shape == (100, len(real_data.set_names))
    np.testing.assert_allclose(out.attention.sum(-1), 1.0, rtol=1e-5)


def test_frozen_embeddings_are_cached(tmp_path):
    smiles = ["CCO", "c1ccccc1O"]
    first = frozen_embeddings(smiles, cache=tmp_path)
    files = list(tmp_path.glob("*.parquet"))
    assert len(files) == 1 and first.shape == (2, 256)
    stamp = files[0].stat().st_mtime_ns
    again = frozen_embeddings(smiles[::-1], cache=tmp_path)
    assert files[0].stat().st_mtime_ns == stamp  # nothing recomputed
    np.testing.assert_array_equal(again, first[::-1])


def test_finetuning_reaches_the_encoder(real_data):
    small = dataclasses.replace(QUICK, max_epochs=1, train_fraction=0.0002, batch_size=32)  # 74 training pairs
    kept = (real_data.part == 0) | (np.arange(real_data.part.size) % 500 == 0)  # and about 90 validation pairs
    few = dataclasses.replace(real_data, part=np.where(kept, real_data.part, 9))  # 9: in no part
    trainer = Trainer(few, ModelConfig(variant="contrastive", finetune_encoder=True), small)
    embeddings = trainer.model.encoder.transformer.get_input_embeddings().weight
    before = embeddings.detach().clone()
    batch, drugs = trainer.batch(torch.as_tensor(trainer.train_rows[:32]))
    assert len(drugs) <= 32  # the encoder runs once per distinct drug, not per pair
    trainer.fit()
    assert not torch.equal(before, embeddings.detach())


def test_cell_stratified_order_is_a_permutation_that_spreads_each_cell():
    from gsdrp.train.loop import cell_stratified_order

    rng = np.random.default_rng(0)
    cells = torch.as_tensor(rng.integers(0, 50, 20_000))
    order = cell_stratified_order(cells, torch.Generator().manual_seed(1))
    assert sorted(order.tolist()) == list(range(20_000))
    per_batch = torch.bincount(cells[order][:2000], minlength=50).float()
    expected = torch.bincount(cells, minlength=50).float() * 2000 / 20_000
    assert (per_batch - expected).abs().max() <= 1.5  # about one row off; a random batch is ~15 off
    again = cell_stratified_order(cells, torch.Generator().manual_seed(1))
    assert torch.equal(order, again)


def test_predict_keeps_the_order_of_the_rows_it_is_given(real_data):
    trainer = Trainer(real_data, ModelConfig(variant="full", dim=16), QUICK)
    rows = real_data.rows("val")[:5000]
    forward = trainer.predict(rows, batch_size=1024, keep_weights=True)
    backward = trainer.predict(rows[::-1], batch_size=1024, keep_weights=True)
    np.testing.assert_allclose(backward.prediction, forward.prediction[::-1], rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(backward.attention, forward.attention[::-1], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(trainer.predict(rows[:3]).prediction, forward.prediction[:3], rtol=1e-5, atol=1e-5)


def test_a_resumed_fit_continues_exactly_where_it_stopped(real_data):
    """Two epochs in one go equal one epoch, a save and load into a fresh trainer, and one more:
    weights, optimiser moments, scheduler, batch order, dropout and history all carry over."""
    config = dataclasses.replace(QUICK, max_epochs=2, train_fraction=0.01)
    straight = Trainer(real_data, ModelConfig(variant="full", dim=16), config)
    straight.fit()

    first = Trainer(real_data, ModelConfig(variant="full", dim=16), dataclasses.replace(config, max_epochs=1))
    first.fit()
    state = first.state_dict()
    resumed = Trainer(real_data, ModelConfig(variant="full", dim=16), config)
    resumed.load_state_dict(state)
    for saved, loaded in zip(state["optimizer"]["state"].values(), resumed.optimizer.state_dict()["state"].values()):
        torch.testing.assert_close(saved["exp_avg"], loaded["exp_avg"])
    resumed.fit()

    assert [h["epoch"] for h in resumed.progress.history] == [1, 2]
    assert resumed.progress.history[1]["val_rmse"] == pytest.approx(straight.progress.history[1]["val_rmse"], rel=1e-5)
    for name, value in straight.model.state_dict().items():
        torch.testing.assert_close(resumed.model.state_dict()[name], value)


def test_model_options_train_save_load_and_predict_alike(real_data, tmp_path):
    config = ModelConfig(variant="full", dim=16, cell_input="both", drug_fingerprint=True, identity=True)
    trainer = Trainer(real_data, config, dataclasses.replace(QUICK, max_epochs=1, train_fraction=0.02))
    trainer.fit()
    save_checkpoint(tmp_path / "model.pt", trainer)
    model, state = load_checkpoint(tmp_path / "model.pt")
    batch, _ = trainer.batch(torch.as_tensor(real_data.rows("test")[:500]))
    trainer.model.eval()
    torch.testing.assert_close(model(batch).prediction, trainer.model(batch).prediction)
    seen_cells = set(np.array(real_data.cells)[real_data.cell_idx[trainer.train_rows]])
    assert set(state["identity_cells"]) == seen_cells and state["genes"] == real_data.genes


def test_cell_blind_test_rows_take_no_cell_identity(prepared_root):
    from gsdrp.config import DataConfig
    from gsdrp.data.dataset import load_dataset

    data = load_dataset(DataConfig(), "cell_blind", "hallmark", out=prepared_root)
    trainer = Trainer(data, ModelConfig(variant="baseline", dim=16, identity=True), QUICK)
    paths = set(trainer.identity_path(data.rows("test")))
    assert paths == {"drug identity"}  # every drug was seen in training, no test cell line was
    assert set(trainer.identity_path(data.rows("train"))) == {"cell+drug identity"}


def test_cosine_schedule_warms_up_then_decays_to_zero(real_data):
    """Per-step lr: linear warm-up over warmup_epochs, then a half cosine that ends at zero on the last step."""
    config = dataclasses.replace(QUICK, max_epochs=2, warmup_epochs=0.5, schedule="cosine", train_fraction=0.01)
    trainer = Trainer(real_data, ModelConfig(variant="baseline"), config)
    steps_per_epoch = -(-len(trainer.train_rows) // config.batch_size)
    seen = []
    for step in range(2 * steps_per_epoch):
        trainer.progress.step = step
        trainer._set_learning_rate(steps_per_epoch)
        seen.append(trainer.optimizer.param_groups[0]["lr"] / config.lr)
    warmup = int(0.5 * steps_per_epoch)
    assert seen[0] == pytest.approx(1 / (0.5 * steps_per_epoch))
    assert max(seen) == pytest.approx(1.0, abs=1e-6) and int(np.argmax(seen)) in (warmup - 1, warmup)
    assert all(a >= b for a, b in zip(seen[warmup:], seen[warmup + 1 :]))  # never rises after warm-up
    assert seen[-1] < 0.02


def test_plateau_schedule_leaves_the_lr_alone_after_warm_up(real_data):
    config = dataclasses.replace(QUICK, warmup_epochs=0.5, train_fraction=0.01)
    trainer = Trainer(real_data, ModelConfig(variant="baseline"), config)
    trainer.optimizer.param_groups[0]["lr"] = 1.234e-4  # as ReduceLROnPlateau would leave it
    trainer.progress.step = 10_000
    trainer._set_learning_rate(steps_per_epoch=10)
    assert trainer.optimizer.param_groups[0]["lr"] == 1.234e-4


def test_sparsity_weight_ramps_up_over_its_warm_up(real_data):
    trainer = Trainer(real_data, ModelConfig(alpha_warmup_epochs=2.0), dataclasses.replace(QUICK, train_fraction=0.01))
    ramp = []
    for step in (0, 10, 20, 40, 400):
        trainer.progress.step = step
        ramp.append(trainer._sparsity_ramp(steps_per_epoch=10))
    assert ramp == [0.0, 0.5, 1.0, 1.0, 1.0]
    assert Trainer(real_data, ModelConfig(), dataclasses.replace(QUICK, train_fraction=0.01))._sparsity_ramp(10) == 1.0
