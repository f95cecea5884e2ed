"""SMILES -> z_d: the last-layer hidden state of the first token of a Hugging Face encoder.

Any local model folder or hub id works through ``AutoTokenizer``/``AutoModel``. Short names
are looked up in the models folder (``$GSDRP_MODELS``, else ``../shared/models``). The default,
``rxnfp-bert-pretrained``, is a real pretrained SMILES BERT whose vocabulary equals
ChemBERTa-77M's; with internet, ``DeepChem/ChemBERTa-77M-MLM`` works unchanged.

Frozen mode embeds each distinct SMILES once and caches the vectors on disk, keyed by model
and SMILES; fine-tuned mode runs the encoder inside the model on the distinct drugs of a batch.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from torch import nn

ENV_MODELS = "GSDRP_MODELS"
DEFAULT_ENCODER = "rxnfp-bert-pretrained"
_REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_CACHE = Path(os.environ.get("GSDRP_EMBEDDINGS", _REPO_ROOT / "data" / "embeddings"))


def models_dir() -> Path:
    return Path(os.environ.get(ENV_MODELS, _REPO_ROOT.parent / "shared" / "models"))


def resolve_encoder(name: str) -> str:
    """A local folder, a folder in the models directory, or else a hub id (returned unchanged)."""
    if Path(name).expanduser().is_dir():
        return str(Path(name).expanduser())
    if (models_dir() / name).is_dir():
        return str(models_dir() / name)
    return name


class SmilesEncoder(nn.Module):
    """Tokenizer + transformer; ``forward(token batch) -> [n, hidden]`` first-token states."""

    def __init__(self, name: str = DEFAULT_ENCODER, max_length: int = 256):
        super().__init__()
        from transformers import AutoModel, AutoTokenizer  # imported here: frozen embeddings mostly come from the cache
        from transformers.utils import logging as hf_logging

        hf_logging.set_verbosity_error()
        path = resolve_encoder(name)
        try:
            self.tokenizer = AutoTokenizer.from_pretrained(path)
            self.transformer = AutoModel.from_pretrained(path, add_pooling_layer=False)
        except OSError as exc:
            raise OSError(
                f"drug encoder {name!r}: not a folder, not in the models folder {models_dir()} "
                f"(set ${ENV_MODELS}), and not loadable from the Hugging Face hub ({exc})"
            ) from exc
        self.max_length = max_length
        self.hidden_size = int(self.transformer.config.hidden_size)

    def tokenize(self, smiles: list[str]) -> dict[str, torch.Tensor]:
        return self.tokenizer(
            smiles, padding=True, truncation=True, max_length=self.max_length, return_tensors="pt"
        )

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        out = self.transformer(input_ids=input_ids, attention_mask=attention_mask)
        return out.last_hidden_state[:, 0]


def frozen_embeddings(
    smiles: list[str], name: str = DEFAULT_ENCODER, cache: str | Path = DEFAULT_CACHE, batch_size: int = 64
) -> np.ndarray:
    """[len(smiles), hidden] first-token embeddings, computing only SMILES missing from the cache."""
    path = Path(cache) / f"{hashlib.sha1(resolve_encoder(name).encode()).hexdigest()[:12]}.parquet"
    table = pd.read_parquet(path) if path.is_file() else pd.DataFrame()
    missing = sorted(set(smiles) - set(table.index))
    if missing:
        encoder = SmilesEncoder(name).eval()
        chunks = []
        with torch.no_grad():
            for start in range(0, len(missing), batch_size):
                tokens = encoder.tokenize(missing[start : start + batch_size])
                chunks.append(encoder(tokens["input_ids"], tokens["attention_mask"]).numpy())
        fresh = pd.DataFrame(np.concatenate(chunks), index=pd.Index(missing, name="smiles"))
        fresh.columns = fresh.columns.astype(str)
        table = pd.concat([table, fresh])
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(f".{os.getpid()}.part")
        table.to_parquet(partial)
        partial.replace(path)
    return table.loc[smiles].to_numpy(np.float32)
