"""Tiny datasets in the export layout, written in a test's temporary folder."""

import csv
import json
import os

import numpy as np


def write_dataset(root, embryos, planes=(-15, 0, 15), size=32, k=1, value=None, views=True):
    """embryos: [(embryo_id, patient, split, label, segments)]; frames hold `value(seg, view, label)`."""
    os.makedirs(os.path.join(root, "frames"), exist_ok=True)
    with open(os.path.join(root, "manifest.json"), "w") as f:
        json.dump({"planes": list(planes), "inputSize": size, "format": "npy", "framesPerSegment": k}, f)
    rows, view_rows = [], []
    for eid, patient, split, label, segments in embryos:
        array = np.zeros((28, k, len(planes), size, size), dtype=np.uint8)
        for seg in range(segments):
            for v in range(k):
                array[seg, v] = value(seg, v, label) if value else (200 if label else 60)
                view_rows.append([eid, seg, v, f"{6 * seg + 6 * (v + 0.5) / k:.2f}"])
        np.save(os.path.join(root, "frames", f"{eid}.npy"), array)
        rows.append([eid, eid, "c", 1, patient, split, label, "x", segments, 0, f"frames/{eid}.npy"])
    with open(os.path.join(root, "labels.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["embryo_id", "external_id", "cycle", "well", "patient_group", "split", "label", "outcome",
                    "segments", "imputed_segments", "path"])
        w.writerows(rows)
    if views:
        with open(os.path.join(root, "views.csv"), "w", newline="") as f:
            w = csv.writer(f)
            w.writerow(["embryo_id", "segment", "view", "hpi"])
            w.writerows(view_rows)


def toy_embryos(n=8, val=4):
    out = []
    for i in range(n + val):
        split = "train" if i < n else "val"
        out.append((f"e{i}", f"p{i // 2}", split, i % 2, 20 + (i % 3)))
    return out
