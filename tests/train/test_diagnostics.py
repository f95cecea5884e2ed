"""The per-step signals of the gene-set path: checked by hand on made-up outputs, and logged by a real fit."""

from __future__ import annotations

import dataclasses
import math

import pytest
import torch

from gsdrp.config import ModelConfig, TrainConfig
from gsdrp.model.network import GSChemDRP, Output
from gsdrp.train.diagnostics import gene_set_path
from gsdrp.train.loop import Trainer


def test_uniform_attention_has_entropy_log_k_and_gates_their_own_mean_and_sd():
    model = GSChemDRP(ModelConfig(dim=8, heads=2), n_sets=5, drug_dim=4)
    gates = torch.tensor([[0.0, 1.0, 0.0, 1.0, 0.5], [0.5, 0.5, 0.5, 0.5, 0.5]])
    uniform = torch.full((2, 2, 5), 0.2)
    found = gene_set_path(model, Output(torch.zeros(2), torch.zeros(1, 8), gates, uniform))
    assert found["attention_entropy"] == pytest.approx(math.log(5))
    assert found["gate_mean"] == pytest.approx(0.5) and found["gate_sd"] == pytest.approx(float(gates.std()))
    assert found["grad_norm_gate"] == 0.0  # no backward yet
    one_hot = torch.zeros(2, 2, 5).index_fill_(-1, torch.tensor([3]), 1.0)
    assert gene_set_path(model, Output(torch.zeros(2), torch.zeros(1, 8), gates, one_hot))["attention_entropy"] == pytest.approx(0.0, abs=1e-6)


def test_a_fit_logs_the_gene_set_path_every_epoch_and_the_baseline_has_none(real_data):
    quick = TrainConfig(max_epochs=1, batch_size=512, train_fraction=0.01, lr=3e-3)
    full = Trainer(real_data, ModelConfig(variant="full"), quick).fit().history[0]
    assert 0.0 < full["train_gate_mean"] < 1.0 and full["train_gate_sd"] > 0.0
    assert 0.0 < full["train_attention_entropy"] <= math.log(len(real_data.set_names)) + 1e-6
    assert full["train_grad_norm_gate"] > 0.0 and full["train_grad_norm_tokens"] > 0.0
    baseline = Trainer(real_data, ModelConfig(variant="baseline"), dataclasses.replace(quick)).fit().history[0]
    assert not any(key.startswith(("train_gate", "train_attention", "train_grad")) for key in baseline)
