"""Reading an `amsnet export dataset` folder (or the demo's synthetic set, same layout) and drawing
training sequences the paper's way (§4.1): one frame drawn at random per 6 h segment, T = 28 with
the padded steps masked, frames resized to the input size and randomly cropped.

Layout: labels.csv (embryo_id, patient_group, split, label, segments, path, …), manifest.json
(planes, inputSize, format, framesPerSegment), frames/<id>.npy — [28, F, S, S] or, with several
frames per segment, [28, K, F, S, S]; float32 in [0, 1] or uint8 — or frames/<id>/segKK_planeP.png
(segKK_vJ_planeP.png with K > 1). views.csv (embryo_id, segment, view, hpi) lists the frames that
exist per segment; without it every segment has K views.
"""

from __future__ import annotations

import csv
import json
import os
from dataclasses import dataclass
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np
import torch
import torch.nn.functional as F_

from .errors import TrainingInputError
from .png import read_gray_png

T = 28


@dataclass
class Embryo:
    embryo_id: str
    group: str
    split: str
    label: int
    segments: int
    path: str
    views: List[int]  # frames available per segment (≥ 1)
    view_hpi: Dict[Tuple[int, int], float]


@dataclass
class Dataset:
    root: str
    planes: List[float]
    input_size: int
    frames_per_segment: int
    embryos: List[Embryo]
    manifest: dict
    manifest_sha256: str

    def split(self, name: str) -> List[Embryo]:
        return [e for e in self.embryos if e.split == name]


def _sha256(path: str) -> str:
    import hashlib

    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def load_dataset(root: str) -> Dataset:
    labels_path = os.path.join(root, "labels.csv")
    manifest_path = os.path.join(root, "manifest.json")
    if not os.path.isdir(root):
        raise TrainingInputError(f"dataset folder {root} does not exist")
    if not os.path.isfile(labels_path) or not os.path.isfile(manifest_path):
        raise TrainingInputError(
            f"{root} is not a dataset export (labels.csv and manifest.json expected; make one with `amsnet export dataset`)"
        )
    with open(manifest_path) as f:
        manifest = json.load(f)
    planes = manifest.get("planes")
    input_size = manifest.get("inputSize")
    if not isinstance(planes, list) or not planes or not isinstance(input_size, int):
        raise TrainingInputError(f"{manifest_path} does not name the planes and input size")
    k = int(manifest.get("framesPerSegment", 1))
    views: Dict[str, Dict[int, int]] = {}
    view_hpi: Dict[str, Dict[Tuple[int, int], float]] = {}
    views_path = os.path.join(root, "views.csv")
    if os.path.isfile(views_path):
        with open(views_path, newline="") as f:
            for row in csv.DictReader(f):
                eid, seg, view = row["embryo_id"], int(row["segment"]), int(row["view"])
                views.setdefault(eid, {})[seg] = max(views.get(eid, {}).get(seg, 0), view + 1)
                view_hpi.setdefault(eid, {})[(seg, view)] = float(row["hpi"])
    embryos: List[Embryo] = []
    with open(labels_path, newline="") as f:
        for row in csv.DictReader(f):
            try:
                segments = int(row["segments"])
                label = int(row["label"])
            except (KeyError, ValueError):
                raise TrainingInputError(f"{labels_path}: row for {row.get('embryo_id')} lacks segments/label")
            if label not in (0, 1):
                raise TrainingInputError(f"{labels_path}: label must be 0 or 1, got {label}")
            segments = max(1, min(T, segments))
            per_segment = views.get(row["embryo_id"], {})
            embryos.append(
                Embryo(
                    embryo_id=row["embryo_id"],
                    group=row.get("patient_group") or row["embryo_id"],
                    split=row.get("split") or "train",
                    label=label,
                    segments=segments,
                    path=os.path.join(root, row["path"]),
                    views=[max(1, min(k, per_segment.get(s, k))) for s in range(T)],
                    view_hpi=view_hpi.get(row["embryo_id"], {}),
                )
            )
    if not embryos:
        raise TrainingInputError(f"{labels_path} lists no embryo: the dataset is empty")
    for e in embryos:
        if not os.path.exists(e.path):
            raise TrainingInputError(f"frames of embryo {e.embryo_id} are missing ({e.path})")
    return Dataset(root, [float(p) for p in planes], input_size, k, embryos, manifest, _sha256(manifest_path))


def check_training_splits(ds: Dataset) -> None:
    train, val = ds.split("train"), ds.split("val")
    if not train:
        raise TrainingInputError("the dataset has no training embryos (split = train)")
    if not val:
        raise TrainingInputError("the dataset has no validation embryos (split = val): export with a val fraction > 0")
    if len({e.label for e in train}) < 2:
        only = "blastocysts" if train[0].label == 1 else "non-blastocysts"
        raise TrainingInputError(f"the training split holds only {only}: a classifier needs both outcomes")
    groups = {}
    for e in ds.embryos:
        if groups.setdefault(e.group, e.split) != e.split:
            raise TrainingInputError(f"patient group {e.group} appears in both {groups[e.group]} and {e.split}")


def plane_indices(ds: Dataset, planes: Optional[Sequence[float]]) -> List[int]:
    if planes is None:
        return list(range(len(ds.planes)))
    missing = [p for p in planes if p not in ds.planes]
    if missing:
        raise TrainingInputError(
            f"planes {','.join(f'{p:g}' for p in missing)} µm are not in the dataset (it has {','.join(f'{p:g}' for p in ds.planes)})"
        )
    return [ds.planes.index(p) for p in planes]


class FrameStore:
    """Frames of each embryo as uint8 or float32 [T, K, F, S, S]; .npy files are memory-mapped, PNGs decoded once."""

    def __init__(self, ds: Dataset):
        self.ds = ds
        self.cache: Dict[str, np.ndarray] = {}

    def frames(self, e: Embryo) -> np.ndarray:
        cached = self.cache.get(e.embryo_id)
        if cached is not None:
            return cached
        k, f, s = self.ds.frames_per_segment, len(self.ds.planes), self.ds.input_size
        if e.path.endswith(".npy"):
            array = np.load(e.path, mmap_mode="r", allow_pickle=False)
            if array.ndim == 4:
                array = array[:, None]
            if array.shape[0] != T or array.shape[2] != f or array.shape[3] != s or array.shape[4] != s:
                raise TrainingInputError(
                    f"{e.path} has shape {list(array.shape)}; expected [28, {k}, {f}, {s}, {s}] (planes/size of manifest.json)"
                )
        else:
            array = np.zeros((T, k, f, s, s), dtype=np.uint8)
            for seg in range(e.segments):
                for v in range(e.views[seg]):
                    for i, p in enumerate(self.ds.planes):
                        name = f"seg{seg:02d}_plane{p:g}.png" if k == 1 else f"seg{seg:02d}_v{v}_plane{p:g}.png"
                        array[seg, v, i] = read_gray_png(os.path.join(e.path, name))
        self.cache[e.embryo_id] = array
        return array


def draw_views(e: Embryo, rng: Optional[np.random.Generator]) -> List[int]:
    """One frame per segment: at random in training (rng), else the one nearest the segment middle."""
    out = []
    for seg in range(T):
        n = e.views[seg]
        if rng is not None:
            out.append(int(rng.integers(n)))
        else:
            hpis = [e.view_hpi.get((seg, v)) for v in range(n)]
            out.append(min(range(n), key=lambda v: abs(hpis[v] - (6 * seg + 3))) if None not in hpis else 0)
    return out


def make_batch(
    store: FrameStore,
    embryos: Sequence[Embryo],
    planes: Sequence[int],
    input_size: int,
    rng: Optional[np.random.Generator],
) -> Tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """frames [B, 28, F, S, S] in [0, 1], labels [B, 28], mask [B, 28] (1 on observed steps)."""
    f = len(planes)
    src = store.ds.input_size
    out = np.zeros((len(embryos), T, f, src, src), dtype=np.float32)
    for b, e in enumerate(embryos):
        array = store.frames(e)
        chosen = draw_views(e, rng)
        for seg in range(e.segments):
            frame = np.asarray(array[seg, chosen[seg]])[list(planes)]
            out[b, seg] = frame.astype(np.float32) / 255.0 if frame.dtype == np.uint8 else frame
    frames = torch.from_numpy(out)
    frames = resize_and_crop(frames, input_size, rng)
    mask = torch.zeros(len(embryos), T)
    for b, e in enumerate(embryos):
        mask[b, : e.segments] = 1
    labels = torch.tensor([[float(e.label)] * T for e in embryos])
    return frames * mask[:, :, None, None, None], labels, mask


def resize_and_crop(frames: torch.Tensor, size: int, rng: Optional[np.random.Generator]) -> torch.Tensor:
    """Resize to S (bilinear) and, in training, a random crop: the frame shifted by up to the margin
    that scoring's resize-to-⌊S·256/224⌋-then-centre-crop leaves, edges repeated; flips as well
    (an embryo has no up or left). Validation frames stay as scoring sees them."""
    b, t, f, s, _ = frames.shape
    x = frames.reshape(b * t, f, s, s)
    if s != size:
        x = F_.interpolate(x, size=(size, size), mode="bilinear", align_corners=False)
    if rng is not None:
        margin = max(1, (size * 256 // 224 - size) // 2)
        padded = F_.pad(x, (margin, margin, margin, margin), mode="replicate")
        out = torch.empty_like(x)
        for i in range(b):
            dy, dx = (int(v) for v in rng.integers(0, 2 * margin + 1, size=2))
            sl = slice(i * t, (i + 1) * t)
            crop = padded[sl, :, dy : dy + size, dx : dx + size]
            if rng.random() < 0.5:
                crop = crop.flip(-1)
            if rng.random() < 0.5:
                crop = crop.flip(-2)
            out[sl] = crop
        x = out
    return x.reshape(b, t, f, size, size)


def main() -> None:
    """`python3 -m amsnet_training.data --check DIR`: loads an export and draws one batch (a smoke test)."""
    import argparse

    p = argparse.ArgumentParser()
    p.add_argument("--check", required=True)
    a = p.parse_args()
    ds = load_dataset(a.check)
    frames, _, _ = make_batch(FrameStore(ds), ds.embryos, list(range(len(ds.planes))), ds.input_size, np.random.default_rng(0))
    print(json.dumps({"embryos": len(ds.embryos), "framesPerSegment": ds.frames_per_segment, "batch": list(frames.shape)}))


if __name__ == "__main__":
    main()
