"""Losses: SupCon by hand, smoothness by brute force, and which variant uses which term."""

from __future__ import annotations

import math

import torch

from gsdrp.config import ModelConfig
from gsdrp.model.losses import gate_smoothness, supcon, total_loss
from gsdrp.model.network import Output


def test_supcon_matches_hand_computation_and_ignores_unlabelled():
    # Three unit vectors; drugs 0 and 1 share a pathway, drug 2 another, drug 3 has none.
    z = torch.tensor([[1.0, 0.0], [0.0, 1.0], [-1.0, 0.0], [0.6, 0.8]])
    labels = torch.tensor([0, 0, 1, -1])
    t = 0.5
    # Cosine similarities among the labelled drugs: s01 = 0, s02 = -1, s12 = 0.
    # Anchor 0: positive 1; denominator over {1, 2}: -log(e^0 / (e^0 + e^-2))
    # Anchor 1: positive 0; denominator over {0, 2}: -log(e^0 / (e^0 + e^0)); anchor 2 has no positive.
    expected = (math.log(1 + math.exp(-1 / t)) + math.log(2)) / 2
    assert abs(supcon(z, labels, t).item() - expected) < 1e-6
    # Moving the unlabelled drug changes nothing.
    z2 = z.clone()
    z2[3] = torch.tensor([-0.6, 0.8])
    assert abs(supcon(z2, labels, t).item() - expected) < 1e-6


def test_supcon_without_positives_is_zero():
    assert supcon(torch.randn(3, 4), torch.tensor([0, 1, -1]), 0.1).item() == 0.0


def test_gate_smoothness_matches_brute_force():
    gates = torch.rand(5, 4)
    w = torch.rand(4, 4)
    w = (w + w.T) / 2
    w.fill_diagonal_(0)
    brute = sum(
        w[k, l] * (gates[:, k] - gates[:, l]) ** 2 for k in range(4) for l in range(4)
    ).mean() / w.sum()
    torch.testing.assert_close(gate_smoothness(gates, w), brute)


def test_each_variant_uses_its_loss_terms():
    out = Output(torch.zeros(4), torch.randn(2, 3), torch.full((4, 5), 0.5), torch.full((4, 1, 5), 0.2))
    no_gates = Output(torch.zeros(4), torch.randn(2, 3), None, None)
    y, labels, w = torch.ones(4), torch.tensor([0, 0]), torch.ones(5, 5) - torch.eye(5)
    _, baseline = total_loss(no_gates, y, labels, w, ModelConfig(variant="baseline"))
    _, contrastive = total_loss(no_gates, y, labels, w, ModelConfig(variant="contrastive"))
    _, full = total_loss(out, y, labels, w, ModelConfig(variant="full"))
    assert set(baseline) == {"mse"}
    assert set(contrastive) == {"mse", "supcon"}
    assert set(full) == {"mse", "supcon", "sparsity", "smooth"}
    assert full["sparsity"] == 0.5 and full["smooth"] == 0.0


def test_total_is_the_weighted_sum():
    out = Output(torch.zeros(2), torch.randn(2, 3), torch.tensor([[0.2, 0.8], [0.4, 0.6]]), None)
    config = ModelConfig(variant="full", alpha_sparsity=0.5, beta_supcon=0.0, gamma_smooth=2.0)
    w = torch.tensor([[0.0, 1.0], [1.0, 0.0]])
    loss, parts = total_loss(out, torch.ones(2), torch.tensor([-1, -1]), w, config)
    expected = parts["mse"] + 0.5 * parts["sparsity"] + 2.0 * parts["smooth"]
    assert abs(loss.item() - expected) < 1e-6
