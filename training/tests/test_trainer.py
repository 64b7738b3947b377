import io
import json
import os
import subprocess
import sys
import tempfile
import unittest

import numpy as np
import torch

from amsnet_training.data import FrameStore, check_training_splits, load_dataset, make_batch
from amsnet_training.errors import TrainingInputError
from amsnet_training.model import ModelConfig, build_model, exported_state_dict
from amsnet_training.safetensors_io import load_file, save_file
from amsnet_training.train import masked_loss

from .fixtures import toy_embryos, write_dataset

TINY = dict(width=8, blocks=[1, 1, 1, 1], input_size=32)
HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class LearningTest(unittest.TestCase):
    def test_a_few_steps_lower_the_loss_on_a_learnable_toy_set(self):
        torch.manual_seed(0)
        model = build_model(ModelConfig("tsm", [-15.0, 0.0, 15.0], **TINY))
        optimiser = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
        labels = torch.tensor([1.0, 0.0, 1.0, 0.0])[:, None].expand(4, 6)
        mask = torch.ones(4, 6)

        def batch():  # bright embryos become blastocysts, dark ones do not; noise on top
            x = torch.rand(4, 6, 3, 32, 32) * 0.3
            return x + labels[:, :, None, None, None] * 0.5

        model.train()
        losses = []
        for _ in range(12):
            loss = masked_loss(model(batch()), labels, mask)
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            losses.append(float(loss))
        self.assertLess(np.mean(losses[-3:]), 0.6 * np.mean(losses[:3]))

    def test_padded_steps_get_no_gradient(self):
        torch.manual_seed(1)
        model = build_model(ModelConfig("amsnet", [-15.0, 0.0, 15.0], **TINY))
        model.eval()  # fixed BN statistics: a step can only reach the loss through the network's (causal) time axis
        frames = torch.rand(2, 6, 3, 32, 32, requires_grad=True)
        mask = torch.tensor([[1, 1, 1, 0, 0, 0], [1, 1, 1, 1, 1, 0]], dtype=torch.float32)
        logits = model(frames)
        logits.retain_grad()
        loss = masked_loss(logits, torch.ones(2, 6), mask)
        loss.backward()
        self.assertTrue(torch.all(logits.grad[mask == 0] == 0))
        self.assertTrue(torch.all(logits.grad[mask == 1] != 0))
        self.assertEqual(float(frames.grad[0, 3:].abs().sum()), 0.0)
        self.assertEqual(float(frames.grad[1, 5:].abs().sum()), 0.0)
        self.assertGreater(float(frames.grad[0, :3].abs().sum()), 0.0)


class DataTest(unittest.TestCase):
    def test_the_frame_drawn_for_a_segment_is_one_of_that_segment(self):
        with tempfile.TemporaryDirectory() as root:
            write_dataset(root, [("a", "p", "train", 1, 28), ("b", "q", "train", 0, 17)], k=3,
                          value=lambda seg, v, label: 3 * seg + v)
            ds = load_dataset(root)
            store = FrameStore(ds)
            rng = np.random.default_rng(0)
            seen = set()
            for _ in range(20):
                frames, _, mask = make_batch(store, ds.embryos, [0, 1, 2], 32, rng)
                values = np.rint(frames[:, :, 0, 16, 16].numpy() * 255).astype(int)
                for b, e in enumerate(ds.embryos):
                    for seg in range(28):
                        if seg < e.segments:
                            self.assertEqual(values[b, seg] // 3, seg)
                            seen.add(values[b, seg] % 3)
                        else:
                            self.assertEqual(values[b, seg], 0)  # padding
                            self.assertEqual(float(mask[b, seg]), 0.0)
            self.assertEqual(seen, {0, 1, 2})  # every view gets drawn
            # validation takes the view nearest the segment middle, every time
            frames, _, _ = make_batch(store, ds.embryos, [0], 32, None)
            self.assertEqual(int(round(float(frames[0, 4, 0, 0, 0]) * 255)), 3 * 4 + 1)

    def test_a_patient_in_two_splits_is_refused(self):
        with tempfile.TemporaryDirectory() as root:
            write_dataset(root, [("a", "p", "train", 1, 5), ("b", "q", "train", 0, 5), ("c", "p", "val", 0, 5)])
            with self.assertRaisesRegex(TrainingInputError, "patient group p appears in both"):
                check_training_splits(load_dataset(root))


class ManifestTest(unittest.TestCase):
    def test_weights_and_manifest_round_trip(self):
        with tempfile.TemporaryDirectory() as tmp:
            data, out = os.path.join(tmp, "data"), os.path.join(tmp, "out")
            write_dataset(data, toy_embryos(4, 2))
            result = run_trainer(["--dataset", data, "--out", out, "--variant", "baseline", "--width", "8",
                                  "--blocks", "1,1,1,1", "--epochs", "2", "--batch-size", "2", "--seed", "3"])
            self.assertEqual(result.returncode, 0, result.stderr)
            self.assertEqual(sorted(os.listdir(out)), ["manifest.json", "weights.safetensors"])
            manifest = json.load(open(os.path.join(out, "manifest.json")))
            self.assertEqual(manifest["model"]["variant"], "baseline")
            self.assertEqual(manifest["dataset"]["splits"]["train"], {"embryos": 4, "blastocysts": 2})
            self.assertEqual(len(manifest["history"]), 2)
            self.assertIn("accuracyAuc", manifest["validation"])
            self.assertEqual(manifest["seed"], 3)
            model = build_model(ModelConfig("baseline", [-15.0, 0.0, 15.0], **TINY))
            weights = load_file(os.path.join(out, "weights.safetensors"))
            self.assertEqual(set(weights), set(exported_state_dict(model)))
            model.load_state_dict(weights, strict=False)
            # the same seed gives the same weights
            again = os.path.join(tmp, "again")
            run_trainer(["--dataset", data, "--out", again, "--variant", "baseline", "--width", "8",
                         "--blocks", "1,1,1,1", "--epochs", "2", "--batch-size", "2", "--seed", "3"])
            other = load_file(os.path.join(again, "weights.safetensors"))
            self.assertTrue(all(torch.equal(weights[k], other[k]) for k in weights))

    def test_safetensors_round_trip(self):
        with tempfile.TemporaryDirectory() as tmp:
            tensors = {"a.weight": torch.randn(3, 4), "b": torch.arange(5, dtype=torch.float32)}
            save_file(tensors, os.path.join(tmp, "t.safetensors"))
            back = load_file(os.path.join(tmp, "t.safetensors"))
            self.assertTrue(all(torch.equal(tensors[k], back[k]) for k in tensors))


def run_trainer(args):
    return subprocess.run([sys.executable, "-m", "amsnet_training.train", "--threads", "1", *args],
                          cwd=HERE, capture_output=True, text=True, timeout=120)


class BadInputTest(unittest.TestCase):
    def check_refused(self, embryos, message, extra=(), planes=(-15, 0, 15)):
        with tempfile.TemporaryDirectory() as tmp:
            data, out = os.path.join(tmp, "data"), os.path.join(tmp, "out")
            write_dataset(data, embryos, planes=planes)
            result = run_trainer(["--dataset", data, "--out", out, "--width", "8", "--blocks", "1,1,1,1", *extra])
            self.assertEqual(result.returncode, 2)
            lines = result.stderr.strip().splitlines()
            self.assertEqual(len(lines), 1, result.stderr)
            self.assertRegex(lines[0], "^amsnet-train: .*" + message)
            self.assertEqual(sorted(os.listdir(tmp)), ["data"])  # nothing written, no staging folder left

    def test_empty_dataset(self):
        self.check_refused([], "the dataset is empty")

    def test_one_class_only(self):
        embryos = [(f"e{i}", f"p{i}", "train" if i < 4 else "val", 1, 10) for i in range(6)]
        self.check_refused(embryos, "only blastocysts")

    def test_mismatched_planes(self):
        self.check_refused(toy_embryos(4, 2), r"planes -30,30 µm are not in the dataset", ["--planes=-30,0,30"])

    def test_missing_dataset(self):
        with tempfile.TemporaryDirectory() as tmp:
            result = run_trainer(["--dataset", os.path.join(tmp, "nope"), "--out", os.path.join(tmp, "out")])
            self.assertEqual(result.returncode, 2)
            self.assertIn("does not exist", result.stderr)
            self.assertEqual(os.listdir(tmp), [])


if __name__ == "__main__":
    unittest.main()
