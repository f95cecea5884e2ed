"""GDSC TARGET_PATHWAY class -> Hallmark sets that describe the same biology.

Curated for gsdrp (not from the paper) by reading the MSigDB Hallmark set descriptions
(Liberzon et al., Cell Systems 2015; gsea-msigdb.org Hallmark collection pages) against the GDSC
pathway names. Classes with no clear Hallmark counterpart ("Other, kinases", "Chromatin ...",
"Cytoskeleton", "Metabolism", "ABL signaling", "IGF1R signaling") are left out rather than guessed.
"""

from __future__ import annotations

PATHWAY_TO_HALLMARK = {
    "PI3K/MTOR signaling": ["PI3K_AKT_MTOR_SIGNALING", "MTORC1_SIGNALING"],
    "ERK MAPK signaling": ["KRAS_SIGNALING_UP"],
    "EGFR signaling": ["KRAS_SIGNALING_UP", "PI3K_AKT_MTOR_SIGNALING"],
    "RTK signaling": ["KRAS_SIGNALING_UP", "PI3K_AKT_MTOR_SIGNALING"],
    "Cell cycle": ["E2F_TARGETS", "G2M_CHECKPOINT"],
    "Mitosis": ["MITOTIC_SPINDLE", "G2M_CHECKPOINT"],
    "DNA replication": ["E2F_TARGETS", "DNA_REPAIR"],
    "Genome integrity": ["DNA_REPAIR", "P53_PATHWAY"],
    "p53 pathway": ["P53_PATHWAY"],
    "Apoptosis regulation": ["APOPTOSIS"],
    "WNT signaling": ["WNT_BETA_CATENIN_SIGNALING"],
    "Protein stability and degradation": ["UNFOLDED_PROTEIN_RESPONSE", "MTORC1_SIGNALING"],
    "JNK and p38 signaling": ["TNFA_SIGNALING_VIA_NFKB", "UV_RESPONSE_UP"],
    "Hormone-related": ["ESTROGEN_RESPONSE_EARLY", "ESTROGEN_RESPONSE_LATE", "ANDROGEN_RESPONSE"],
}


def known_by_pathway(drug_pathways: dict[str, str | None]) -> dict[str, list[str]]:
    """``{drug: Hallmark sets}`` for drugs whose TARGET_PATHWAY class is in the mapping."""
    return {d: PATHWAY_TO_HALLMARK[p] for d, p in drug_pathways.items() if p in PATHWAY_TO_HALLMARK}
