"""L_total = MSE + alpha * L_sparsity + beta * L_supcon + gamma * L_smooth (the paper's loss; docs/model.md)."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from gsdrp.config import ModelConfig
from gsdrp.model.network import Output


def supcon(embeddings: torch.Tensor, labels: torch.Tensor, temperature: float) -> torch.Tensor:
    """Supervised contrastive loss (Khosla et al. 2020) with cosine similarity.

    Rows with label < 0 (no specific TARGET_PATHWAY) are left out entirely. For each anchor with
    at least one positive: -mean over positives p of log(exp(s_ip / T) / sum_{a != i} exp(s_ia / T)).
    Returns 0 when no anchor has a positive.
    """
    keep = labels >= 0
    z, labels = F.normalize(embeddings[keep], dim=-1), labels[keep]
    n = len(labels)
    if n < 2:
        return embeddings.sum() * 0.0
    logits = z @ z.T / temperature
    self_mask = torch.eye(n, dtype=torch.bool, device=z.device)
    logits = logits.masked_fill(self_mask, float("-inf"))
    log_prob = logits - torch.logsumexp(logits, dim=1, keepdim=True)
    positives = (labels[:, None] == labels[None, :]) & ~self_mask
    n_pos = positives.sum(dim=1)
    anchors = n_pos > 0
    if not anchors.any():
        return embeddings.sum() * 0.0
    per_anchor = -(log_prob.masked_fill(~positives, 0.0).sum(dim=1)[anchors] / n_pos[anchors])
    return per_anchor.mean()


def gate_smoothness(gates: torch.Tensor, overlap: torch.Tensor) -> torch.Tensor:
    """Overlap-weighted squared gate differences: sum_kl W_kl (s_k - s_l)^2 / sum_kl W_kl, batch mean.

    W is the Jaccard overlap of the gene sets' genes, so sets sharing genes get similar gates.
    Computed as 2 s^T (D - W) s with D the degree matrix of W.
    """
    total = overlap.sum()
    if total == 0:
        return gates.sum() * 0.0
    laplacian = torch.diag(overlap.sum(dim=1)) - overlap
    return 2.0 * ((gates @ laplacian) * gates).sum(dim=-1).mean() / total


def total_loss(
    output: Output, target: torch.Tensor, drug_labels: torch.Tensor, overlap: torch.Tensor, config: ModelConfig,
    sparsity_ramp: float = 1.0,
) -> tuple[torch.Tensor, dict[str, float]]:
    """The training loss and its parts (as floats, for logging). ``sparsity_ramp`` in [0, 1] scales alpha
    during the warm-up of the sparsity term (``ModelConfig.alpha_warmup_epochs``)."""
    parts = {"mse": F.mse_loss(output.prediction, target)}
    if output.gates is not None:
        parts["sparsity"] = output.gates.abs().mean()
        parts["smooth"] = gate_smoothness(output.gates, overlap)
    if config.uses_supcon:
        parts["supcon"] = supcon(output.drug_embedding, drug_labels, config.temperature)
    weights = {"mse": 1.0, "sparsity": config.alpha_sparsity * sparsity_ramp, "smooth": config.gamma_smooth, "supcon": config.beta_supcon}
    loss = sum(weights[name] * value for name, value in parts.items())
    return loss, {name: float(value.detach()) for name, value in parts.items()}
