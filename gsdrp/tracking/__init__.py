"""MLflow: where runs go, trial runs nested under a sweep's parent run, the pyfunc model, the registry."""
