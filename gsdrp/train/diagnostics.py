"""Whether the gene-set path is in use, measured at every training step (docs/interpretation.md).

Gates that shut (mean near 0), attention that spreads evenly over the sets (entropy near log K) and
little gradient reaching the gate and token parameters all say the prediction does not go through
the gated tokens. The training loop averages these over an epoch as ``train_<name>``.
"""

from __future__ import annotations

import torch

from gsdrp.model.network import GSChemDRP, Output


def _grad_norm(module: torch.nn.Module) -> float:
    grads = [p.grad.detach().flatten() for p in module.parameters() if p.grad is not None]
    return float(torch.linalg.vector_norm(torch.cat(grads))) if grads else 0.0


@torch.no_grad()
def gene_set_path(model: GSChemDRP, output: Output) -> dict[str, float]:
    """Gate mean and SD over the batch's pairs and sets, mean attention entropy (nats), and the gradient
    norms of the gate, token and attention parameters; empty for variants without gene sets.
    Call after ``backward`` and before the optimiser clears the gradients."""
    if output.gates is None:
        return {}
    attention = output.attention
    entropy = -(attention * attention.clamp_min(1e-12).log()).sum(-1).mean()
    return {
        "gate_mean": float(output.gates.mean()),
        "gate_sd": float(output.gates.std()),
        "attention_entropy": float(entropy),
        "grad_norm_gate": _grad_norm(model.gate),
        "grad_norm_tokens": _grad_norm(model.tokens),
        "grad_norm_attention": _grad_norm(model.attention),
    }
