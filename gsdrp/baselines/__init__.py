"""Baselines, every one behind the same two methods as the deep model (see ``Predictor``)."""
