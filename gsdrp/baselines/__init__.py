"""Baselines: naive, classical and matrix factorisation, each behind ``gsdrp.predictor.DrugResponseModel``."""
