"""Reading a trained model's gates and attention: matrices, plots, mechanism hit rates."""
