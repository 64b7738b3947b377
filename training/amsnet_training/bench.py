"""Training throughput (embryo-sequences per second, T = 28) on random frames: the median of a few
timed SGD steps after a warm-up step. Long sequences at full size take minutes on a CPU, so
`--steps-per-sequence` times shorter sequences and scales (every layer's cost is linear in T).

    python3 -m amsnet_training.bench --width 8 --blocks 1,1,1,1 --input-size 64 --batch-size 4
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

import torch

from .model import ModelConfig, build_model
from .train import masked_loss

T = 28


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--variant", default="amsnet")
    p.add_argument("--planes", default="-45,-30,-15,0,15,30,45")
    p.add_argument("--width", type=int, default=64)
    p.add_argument("--blocks", default="3,4,6,3")
    p.add_argument("--input-size", type=int, default=224)
    p.add_argument("--batch-size", type=int, default=2)
    p.add_argument("--steps-per-sequence", type=int, default=T, help="time T measured (result scaled to 28)")
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--device", default="auto")
    p.add_argument("--threads", type=int, default=0)
    a = p.parse_args()
    if a.threads:
        torch.set_num_threads(a.threads)
    device = torch.device("cuda" if a.device == "auto" and torch.cuda.is_available() else ("cpu" if a.device == "auto" else a.device))
    torch.manual_seed(0)
    planes = [float(x) for x in a.planes.split(",")]
    config = ModelConfig(a.variant, planes, a.width, [int(b) for b in a.blocks.split(",")], a.input_size)
    model = build_model(config).to(device).train()
    optimiser = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    t = a.steps_per_sequence
    x = torch.rand(a.batch_size, t, len(planes), a.input_size, a.input_size, device=device)
    labels = torch.ones(a.batch_size, t, device=device)
    mask = torch.ones(a.batch_size, t, device=device)
    times = []
    for run in range(a.runs + 1):
        if device.type == "cuda":
            torch.cuda.synchronize()
        t0 = time.perf_counter()
        loss = masked_loss(model(x), labels, mask)
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
        if device.type == "cuda":
            torch.cuda.synchronize()
        if run > 0:  # the first step warms up allocators and kernels
            times.append(time.perf_counter() - t0)
    step = statistics.median(times)
    print(
        json.dumps(
            {
                "config": config.to_json(),
                "device": str(device) if device.type == "cpu" else torch.cuda.get_device_name(device),
                "threads": torch.get_num_threads(),
                "batchSize": a.batch_size,
                "measuredSteps": t,
                "secondsPerBatch": step,
                "sequencesPerSecond": a.batch_size * t / T / step,
                "runs": a.runs,
            }
        )
    )


if __name__ == "__main__":
    main()
