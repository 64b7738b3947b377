"""The .safetensors format written and read by hand (8-byte little-endian header length, JSON
header of dtype/shape/byte offsets, raw little-endian data), so training needs no package that
Debian lacks. Only float32 is written; float32/float16 are read."""

from __future__ import annotations

import json
import os
import struct
from typing import Dict, Optional

import numpy as np
import torch

_DTYPES = {"F32": np.dtype("<f4"), "F16": np.dtype("<f2"), "F64": np.dtype("<f8")}


def save_file(tensors: Dict[str, torch.Tensor], path: str, metadata: Optional[Dict[str, str]] = None) -> None:
    header: dict = {}
    if metadata:
        header["__metadata__"] = {k: str(v) for k, v in metadata.items()}
    chunks = []
    offset = 0
    for name in sorted(tensors):
        data = tensors[name].detach().to("cpu", torch.float32).contiguous().numpy().astype("<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(tensors[name].shape), "data_offsets": [offset, offset + len(data)]}
        chunks.append(data)
        offset += len(data)
    encoded = json.dumps(header, separators=(",", ":")).encode("utf-8")
    encoded += b" " * ((8 - len(encoded) % 8) % 8)  # the data starts 8-byte aligned
    tmp = f"{path}.partial"
    with open(tmp, "wb") as out:
        out.write(struct.pack("<Q", len(encoded)))
        out.write(encoded)
        for c in chunks:
            out.write(c)
    os.replace(tmp, path)


def load_file(path: str) -> Dict[str, torch.Tensor]:
    with open(path, "rb") as f:
        raw = f.read()
    if len(raw) < 8:
        raise ValueError(f"{path} is not a safetensors file (too short)")
    (size,) = struct.unpack("<Q", raw[:8])
    if size > len(raw) - 8:
        raise ValueError(f"{path} is not a safetensors file (header length {size} beyond the file)")
    header = json.loads(raw[8 : 8 + size].decode("utf-8"))
    base = 8 + size
    out: Dict[str, torch.Tensor] = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        dtype = _DTYPES.get(entry["dtype"])
        if dtype is None:
            continue  # e.g. I64 num_batches_tracked: not needed
        start, end = entry["data_offsets"]
        array = np.frombuffer(raw[base + start : base + end], dtype=dtype).astype(np.float32)
        out[name] = torch.from_numpy(array.reshape(entry["shape"]).copy())
    return out
