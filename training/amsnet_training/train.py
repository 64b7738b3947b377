"""Trains AMSNet on an `amsnet export dataset` folder (paper §4.1) and writes weights.safetensors
(DESIGN.md §6 names, so `amsnet model build --weights` takes them unchanged) and manifest.json.

    python3 -m amsnet_training.train --dataset DIR --out DIR [--variant amsnet --width 64 …]

Everything goes to a staging folder beside --out that is renamed into place at the end: bad input
is one line on stderr and nothing written; an interrupted run keeps its staging folder, and
--resume continues from its last checkpoint.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import random
import shutil
import sys
import time
from typing import List, Optional

import numpy as np
import torch
import torch.nn.functional as F_

from .data import (
    T,
    Dataset,
    FrameStore,
    check_training_splits,
    load_dataset,
    make_batch,
    plane_indices,
)
from .errors import TrainingInputError
from .metrics import evaluate
from .model import VARIANTS, ModelConfig, build_model, exported_state_dict
from .safetensors_io import load_file, save_file

TRAINER_VERSION = 1


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line, like every other refusal (no usage dump)
        raise TrainingInputError(message)


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    p = _Parser(prog="amsnet-train", description=__doc__.split("\n\n")[0])
    p.add_argument("--dataset", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--variant", default="amsnet", choices=VARIANTS)
    p.add_argument("--planes", help="µm, comma-separated (default: the dataset's)")
    p.add_argument("--width", type=int, default=64)
    p.add_argument("--blocks", default="3,4,6,3")
    p.add_argument("--input-size", type=int, help="S (default: the dataset's)")
    p.add_argument("--epochs", type=int, default=30)
    p.add_argument("--batch-size", type=int, default=4)
    p.add_argument("--lr", type=float, default=0.01)
    p.add_argument("--momentum", type=float, default=0.9)
    p.add_argument("--weight-decay", type=float, default=1e-4)
    p.add_argument("--schedule", choices=["cosine", "step", "constant"], default="cosine")
    p.add_argument("--patience", type=int, default=5, help="epochs without a better validation accuracy AUC")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--device", default="auto", help="auto (cuda when available), cpu, cuda, cuda:N")
    p.add_argument("--threads", type=int, default=0, help="CPU threads (0: torch's default)")
    p.add_argument("--init", help="a local .safetensors state dict to start from (e.g. Kinetics-pretrained)")
    p.add_argument("--max-batches", type=int, default=0, help="batches per epoch at most (quick runs)")
    p.add_argument("--progress", choices=["text", "json"], default="text")
    p.add_argument("--resume", action="store_true", help="continue an interrupted run from its checkpoint")
    return p.parse_args(argv)


def numbers(text: str, kind=float) -> list:
    try:
        return [kind(x) for x in text.split(",") if x.strip() != ""]
    except ValueError:
        raise TrainingInputError(f'"{text}" is not a comma-separated list of numbers')


def seed_everything(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def pick_device(name: str) -> torch.device:
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if name.startswith("cuda") and not torch.cuda.is_available():
        raise TrainingInputError("--device cuda: no CUDA device is available to PyTorch here")
    return torch.device(name)


def learning_rate(args: argparse.Namespace, epoch: int) -> float:
    if args.schedule == "cosine":
        return args.lr * 0.5 * (1 + math.cos(math.pi * epoch / max(1, args.epochs)))
    if args.schedule == "step":
        return args.lr * (0.1 ** (epoch // max(1, args.epochs // 3)))
    return args.lr


def masked_loss(logits: torch.Tensor, labels: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Binary cross-entropy at every observed step; padded steps contribute nothing (nor gradient)."""
    per_step = F_.binary_cross_entropy_with_logits(logits, labels, reduction="none")
    return (per_step * mask).sum() / mask.sum().clamp(min=1)


class Reporter:
    def __init__(self, mode: str):
        self.mode = mode

    def __call__(self, event: str, **fields) -> None:
        if self.mode == "json":
            print(json.dumps({"event": event, **fields}), flush=True)
        elif event == "epoch":
            m = fields["metrics"]
            roc = " ".join(f"d{r['day']}={_fmt(r['auc'])}" for r in m["roc"])
            print(
                f"epoch {fields['epoch']}/{fields['epochs']}: loss {fields['trainLoss']:.4f}, val loss {fields['valLoss']:.4f}, "
                f"accuracy AUC {_fmt(m['accuracyAuc'])}, ROC AUC {roc} ({fields['seconds']:.0f} s)",
                flush=True,
            )
        elif event in ("start", "done"):
            print(f"{event}: " + json.dumps(fields), flush=True)


def _fmt(v) -> str:
    return "n/a" if v is None else f"{v:.3f}"


def predict(model, store, embryos, planes, size, device, batch_size) -> List[np.ndarray]:
    model.eval()
    out = []
    with torch.no_grad():
        for i in range(0, len(embryos), batch_size):
            frames, _, _ = make_batch(store, embryos[i : i + batch_size], planes, size, None)
            out.extend(torch.sigmoid(model(frames.to(device))).cpu().numpy())
    return out


def validate(model, store, embryos, planes, size, device, batch_size) -> tuple:
    probabilities = predict(model, store, embryos, planes, size, device, batch_size)
    trajectories = []
    loss, steps = 0.0, 0
    for e, p in zip(embryos, probabilities):
        observed = p[: e.segments].astype(np.float64).clip(1e-7, 1 - 1e-7)
        loss -= float(np.sum(np.log(observed) if e.label else np.log(1 - observed)))
        steps += e.segments
        trajectories.append(
            {"blastocyst": bool(e.label), "cultureEnded": True, "probabilities": {s: float(p[s]) for s in range(e.segments)}}
        )
    return evaluate(trajectories), loss / max(1, steps)


def train(args: argparse.Namespace) -> dict:
    out = os.path.abspath(args.out)
    staging = os.path.join(os.path.dirname(out), f".{os.path.basename(out)}.partial")
    if os.path.exists(out) and (not os.path.isdir(out) or os.listdir(out)):
        raise TrainingInputError(f"{out} exists and is not an empty folder; choose a new folder")
    ds: Dataset = load_dataset(args.dataset)
    check_training_splits(ds)
    planes_um = numbers(args.planes) if args.planes else ds.planes
    planes = plane_indices(ds, planes_um)
    size = args.input_size or ds.input_size
    config = ModelConfig(args.variant, [float(p) for p in planes_um], args.width, numbers(args.blocks, int), size)
    try:
        config.validate()
    except ValueError as error:
        raise TrainingInputError(str(error))
    if size > ds.input_size:
        raise TrainingInputError(f"--input-size {size} is larger than the dataset's frames ({ds.input_size} px)")
    if args.epochs < 1 or args.batch_size < 1:
        raise TrainingInputError("--epochs and --batch-size must be at least 1")
    device = pick_device(args.device)
    if args.threads > 0:
        torch.set_num_threads(args.threads)
    seed_everything(args.seed)
    model = build_model(config)
    if args.init:
        if not os.path.isfile(args.init):
            raise TrainingInputError(f"--init {args.init}: no such file")
        state = load_file(args.init)
        own = model.state_dict()
        usable = {k: v for k, v in state.items() if k in own and own[k].shape == v.shape}
        if not usable:
            raise TrainingInputError(f"--init {args.init}: no tensor fits this network (names/shapes of DESIGN.md §6)")
        model.load_state_dict(usable, strict=False)
    model.to(device)
    optimiser = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=args.momentum, weight_decay=args.weight_decay)

    train_set, val_set = ds.split("train"), ds.split("val")
    store = FrameStore(ds)
    for e in train_set + val_set:  # fail on a bad frame file before anything is written
        store.frames(e)
    start_epoch, history, best = 0, [], None
    checkpoint_path = os.path.join(staging, "checkpoint.pt")
    if args.resume and os.path.isfile(checkpoint_path):
        ck = torch.load(checkpoint_path, map_location=device)
        model.load_state_dict(ck["model"])
        optimiser.load_state_dict(ck["optimiser"])
        start_epoch, history, best = ck["epoch"] + 1, ck["history"], ck["best"]
        torch.set_rng_state(ck["torch_rng"])
    else:
        shutil.rmtree(staging, ignore_errors=True)
        os.makedirs(staging)
    rng = np.random.default_rng(args.seed + 1000 * start_epoch)
    report = Reporter(args.progress)
    batches = math.ceil(len(train_set) / args.batch_size)
    if args.max_batches:
        batches = min(batches, args.max_batches)
    report(
        "start",
        epochs=args.epochs,
        batchesPerEpoch=batches,
        train=len(train_set),
        val=len(val_set),
        device=str(device),
        startEpoch=start_epoch,
    )
    started = time.time()
    since_best = 0 if best is None else history[-1]["epoch"] - best["epoch"]
    sequences = 0
    for epoch in range(start_epoch, args.epochs):
        t0 = time.time()
        lr = learning_rate(args, epoch)
        for group in optimiser.param_groups:
            group["lr"] = lr
        model.train()
        order = rng.permutation(len(train_set))
        total, count = 0.0, 0
        for b in range(batches):
            chosen = [train_set[i] for i in order[b * args.batch_size : (b + 1) * args.batch_size]]
            frames, labels, mask = make_batch(store, chosen, planes, size, rng)
            loss = masked_loss(model(frames.to(device)), labels.to(device), mask.to(device))
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            total += float(loss) * len(chosen)
            count += len(chosen)
            sequences += len(chosen)
            report("batch", epoch=epoch + 1, batch=b + 1, batches=batches, loss=float(loss))
        metrics, val_loss = validate(model, store, val_set, planes, size, device, args.batch_size)
        entry = {
            "epoch": epoch + 1,
            "lr": lr,
            "trainLoss": total / max(1, count),
            "valLoss": val_loss,
            "seconds": time.time() - t0,
            "metrics": metrics,
        }
        history.append(entry)
        report("epoch", epochs=args.epochs, **entry)
        score = metrics["accuracyAuc"] if metrics["accuracyAuc"] is not None else -1.0
        if best is None or score > best["accuracyAuc"]:
            best = {"epoch": epoch + 1, "accuracyAuc": score}
            save_file(exported_state_dict(model), os.path.join(staging, "weights.safetensors"))
            since_best = 0
        else:
            since_best += 1
        torch.save(
            {
                "model": model.state_dict(),
                "optimiser": optimiser.state_dict(),
                "epoch": epoch,
                "history": history,
                "best": best,
                "torch_rng": torch.get_rng_state(),
            },
            checkpoint_path,
        )
        if since_best >= args.patience:
            break
    wall = time.time() - started
    best_entry = next(h for h in history if h["epoch"] == best["epoch"])
    splits = {
        name: {"embryos": len(ds.split(name)), "blastocysts": sum(e.label for e in ds.split(name))}
        for name in ("train", "val", "test")
    }
    manifest = {
        "kind": "amsnet-training",
        "trainerVersion": TRAINER_VERSION,
        "model": config.to_json(),
        "dataset": {
            "path": os.path.abspath(ds.root),
            "manifestSha256": ds.manifest_sha256,
            "synthetic": bool(ds.manifest.get("synthetic", False)),
            "framesPerSegment": ds.frames_per_segment,
            "splits": splits,
        },
        "recipe": {
            "segments": T,
            "framePerSegment": "random (train), nearest the segment middle (validation)",
            "loss": "binary cross-entropy at every observed step, padded steps masked",
            "optimiser": "SGD",
            "lr": args.lr,
            "momentum": args.momentum,
            "weightDecay": args.weight_decay,
            "schedule": args.schedule,
            "epochs": args.epochs,
            "batchSize": args.batch_size,
            "patience": args.patience,
            "maxBatches": args.max_batches or None,
            "augmentation": "resize to S, random shift within the scoring crop margin, flips",
            "init": os.path.basename(args.init) if args.init else "scratch",
        },
        "seed": args.seed,
        "epochsRun": len(history),
        "bestEpoch": best["epoch"],
        "validation": best_entry["metrics"],
        "history": history,
        "torch": torch.__version__,
        "python": platform.python_version(),
        "device": str(device) if device.type == "cpu" else f"{device} ({torch.cuda.get_device_name(device)})",
        "threads": torch.get_num_threads(),
        "wallSeconds": round(wall, 1),
        "sequencesPerSecond": round(sequences / wall, 3) if wall > 0 else None,
    }
    with open(os.path.join(staging, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=2)
        f.write("\n")
    os.remove(checkpoint_path)
    if os.path.isdir(out):
        os.rmdir(out)
    os.replace(staging, out)
    report("done", out=out, bestEpoch=best["epoch"], wallSeconds=manifest["wallSeconds"])
    return manifest


def main(argv: Optional[List[str]] = None) -> None:
    try:
        args = parse_args(argv)
        train(args)
    except TrainingInputError as error:
        print(f"amsnet-train: {error}", file=sys.stderr)
        sys.exit(2)
    except KeyboardInterrupt:
        print("amsnet-train: interrupted (rerun with --resume to continue)", file=sys.stderr)
        sys.exit(130)


if __name__ == "__main__":
    main()
