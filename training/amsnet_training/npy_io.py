"""Minimal .npy writing (numpy's own format functions, no pickle)."""

import os

import numpy as np


def save_npy(path: str, array: np.ndarray) -> None:
    tmp = f"{path}.partial"
    with open(tmp, "wb") as out:
        np.lib.format.write_array(out, np.ascontiguousarray(array), allow_pickle=False)
    os.replace(tmp, path)
