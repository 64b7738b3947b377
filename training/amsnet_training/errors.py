class TrainingInputError(Exception):
    """Bad input (dataset, options): reported as one line, nothing written."""
