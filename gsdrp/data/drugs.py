"""Drugs: RDKit-standardised SMILES and one TARGET_PATHWAY class per drug."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
from rdkit import Chem, RDLogger
from rdkit.Chem.MolStandardize import rdMolStandardize

from gsdrp.data.raw import DataError, read_table

RDLogger.DisableLog("rdApp.*")

UNSPECIFIC_PATHWAYS = {"other", "unclassified"}
# Structures the staged table gets wrong (shared/data/SOURCES.md section 2): dropped, never guessed.
KNOWN_BAD_STRUCTURES = {"SB52334": "staged SMILES is 2-phenylnicotinic acid, not the ALK5 inhibitor SB-525334"}
# Spellings GDSC uses for the same pathway across releases; keys are normalised (see _pathway_key).
PATHWAY_SYNONYMS = {
    "pi3k/mtor pathway": "PI3K/MTOR signaling",
    "erk mapk pathway": "ERK MAPK signaling",
    "egfr pathway": "EGFR signaling",
    "rtk pathway": "RTK signaling",
    "igf1r pathway": "IGF1R signaling",
    "abl pathway": "ABL signaling",
    "wnt pathway": "WNT signaling",
}
_METALS = {"Pt", "Pd", "Ru", "Rh", "Os", "Ir", "Au", "Ag", "Cu", "Fe", "Co", "Ni", "Zn", "Ga", "As", "Sb", "Bi", "Ti", "V"}
_LARGEST_ORGANIC = rdMolStandardize.LargestFragmentChooser(preferOrganic=True)


def standardise_smiles(smiles: str, name: str = "?") -> str:
    """Canonical SMILES of the active molecule.

    Salts and solvents are stripped to the largest organic fragment, except for metal
    complexes (platinum drugs), whose metal centre carries the activity: those keep every
    fragment. Raises ``DataError`` naming the drug when RDKit cannot parse the SMILES.
    """
    mol = Chem.MolFromSmiles(smiles) if isinstance(smiles, str) and smiles.strip() else None
    if mol is None:
        raise DataError(f"drug {name!r}: invalid SMILES {smiles!r}")
    if not any(atom.GetSymbol() in _METALS for atom in mol.GetAtoms()):
        mol = _LARGEST_ORGANIC.choose(mol)
    return Chem.MolToSmiles(mol)


def _pathway_key(text: str) -> str:
    return re.sub(r"\s+", " ", text.strip().lower())


def pathway_class(raw: str | float) -> str | None:
    """First specific pathway of a ``|``-joined GDSC TARGET_PATHWAY field, spellings merged."""
    if not isinstance(raw, str):
        return None
    for part in raw.split("|"):
        key = _pathway_key(part)
        if key and key not in UNSPECIFIC_PATHWAYS:
            return PATHWAY_SYNONYMS.get(key, part.strip())
    return None


def load_drugs(path: Path) -> tuple[pd.DataFrame, dict[str, str]]:
    """Drug table (``drug, smiles, pathway, target``) and ``{dropped drug: reason}``."""
    raw = read_table(path, ["DRUG_NAME", "SMILES_RAW", "TARGET_PATHWAY", "TARGET"], dtype={"DRUG_NAME": str})
    rows, dropped = [], {}
    for rec in raw.itertuples(index=False):
        name = rec.DRUG_NAME
        if name in KNOWN_BAD_STRUCTURES:
            dropped[name] = KNOWN_BAD_STRUCTURES[name]
            continue
        if not isinstance(rec.SMILES_RAW, str) or not rec.SMILES_RAW.strip():
            dropped[name] = "no SMILES in any source"
            continue
        try:
            smiles = standardise_smiles(rec.SMILES_RAW, name)
        except DataError as exc:
            dropped[name] = str(exc)
            continue
        target = rec.TARGET if isinstance(rec.TARGET, str) else ""
        rows.append((name, smiles, pathway_class(rec.TARGET_PATHWAY), target))
    drugs = pd.DataFrame(rows, columns=["drug", "smiles", "pathway", "target"])
    return drugs.sort_values("drug", ignore_index=True), dropped
