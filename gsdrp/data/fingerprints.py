"""Morgan fingerprints (radius 2, 1024 bits): the drug features of the classical baselines and,
optionally, of GS-ChemDRP's z_d."""

from __future__ import annotations

import numpy as np
from rdkit import Chem
from rdkit.Chem import rdFingerprintGenerator

FINGERPRINT_BITS = 1024


def morgan_fingerprints(smiles: list[str]) -> np.ndarray:
    """[len(smiles), 1024] float32 bits."""
    generator = rdFingerprintGenerator.GetMorganGenerator(radius=2, fpSize=FINGERPRINT_BITS)
    return np.stack([generator.GetFingerprintAsNumPy(Chem.MolFromSmiles(s)) for s in smiles]).astype(np.float32)
