"""GS-ChemDRP drug-response prediction."""
__version__ = "0.1.0"
