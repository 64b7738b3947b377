"""Writes what the equivalence test checks against the ONNX graph: a tiny model trained a few steps
(so weights and BN statistics are no longer their initial values), its weights, an input and the
PyTorch probabilities for it.

    python3 -m amsnet_training.equivalence --variant amsnet --out DIR
"""

from __future__ import annotations

import argparse
import json
import os

import numpy as np
import torch

from .model import ModelConfig, build_model, exported_state_dict
from .npy_io import save_npy
from .safetensors_io import save_file


def main(argv=None) -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--variant", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--planes", default="-15,0,15")
    p.add_argument("--width", type=int, default=8)
    p.add_argument("--blocks", default="1,1,1,1")
    p.add_argument("--input-size", type=int, default=64)
    p.add_argument("--steps", type=int, default=3)
    p.add_argument("--seed", type=int, default=0)
    a = p.parse_args(argv)
    torch.manual_seed(a.seed)
    config = ModelConfig(
        variant=a.variant,
        planes=[float(x) for x in a.planes.split(",")],
        width=a.width,
        blocks=[int(x) for x in a.blocks.split(",")],
        input_size=a.input_size,
    )
    model = build_model(config)
    # give every BN and zero-initialised weight a non-trivial value before training, so the check
    # covers every parameter (a zero γ would hide a wrong conv in its branch)
    with torch.no_grad():
        for name, t in model.state_dict().items():
            if name.endswith("bn3.weight") or name.endswith("W.1.weight"):
                t.uniform_(0.5, 1.5)
    optimiser = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    b, t, f, s = 2, 5, len(config.planes), config.input_size
    labels = torch.tensor([[1.0], [0.0]]).expand(b, t)
    model.train()
    for _ in range(a.steps):
        x = torch.rand(b, t, f, s, s)
        loss = torch.nn.functional.binary_cross_entropy_with_logits(model(x), labels)
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
    model.eval()
    x = torch.rand(2, 4, f, s, s)
    with torch.no_grad():
        probabilities = torch.sigmoid(model(x))
    os.makedirs(a.out, exist_ok=True)
    save_file(exported_state_dict(model), os.path.join(a.out, "weights.safetensors"))
    save_npy(os.path.join(a.out, "frames.npy"), x.numpy())
    save_npy(os.path.join(a.out, "probabilities.npy"), probabilities.numpy())
    with open(os.path.join(a.out, "config.json"), "w") as out:
        json.dump(config.to_json(), out)


if __name__ == "__main__":
    main()
