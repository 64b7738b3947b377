"""AMSNet in PyTorch with exactly the parameter names and shapes of DESIGN.md §6.

The TypeScript builder (src/inference/amsnet) turns this module's state dict into the ONNX graph
the clinic scores with, so every layout decision here mirrors it: frames [B, T, F, S, S] in [0, 1],
normalised inside the network; images in the leading dimension ordered (b, t, plane); TSM moves
the first ⌊C/8⌋ channels of every bottleneck's residual input one segment later (zeros at t = 0),
per plane in layer1 of the MFS variants; the planes' layer1 outputs are concatenated plane-major
(channel f·C1 + c) for the multi-focus feature selection.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import List, Optional

import torch
from torch import nn
import torch.nn.functional as F_

VARIANTS = ("baseline", "tsm", "tsm-channel", "amsnet")
PIXEL_MEAN = 0.449
PIXEL_STD = 0.226


@dataclass
class ModelConfig:
    variant: str
    planes: List[float]
    width: int = 64
    blocks: List[int] = field(default_factory=lambda: [3, 4, 6, 3])
    input_size: int = 224

    def validate(self) -> None:
        """The same rules as src/inference/amsnet/config.ts, so a trained model can always be built."""
        if self.variant not in VARIANTS:
            raise ValueError(f'unknown variant "{self.variant}" (expected {", ".join(VARIANTS)})')
        if not self.planes or any(b <= a for a, b in zip(self.planes, self.planes[1:])):
            raise ValueError(f"planes must be a non-empty, strictly ascending list of µm, got {self.planes}")
        if int(self.width) != self.width or self.width < 8:
            raise ValueError(f"width must be an integer ≥ 8, got {self.width}")
        if self.uses_mfs and (len(self.planes) * self.width * 4) % 16 != 0:
            raise ValueError(
                f"the channel-attention MLP needs F·4·width divisible by 16 (F={len(self.planes)}, width={self.width})"
            )
        if len(self.blocks) != 4 or any(int(b) != b or b < 1 for b in self.blocks):
            raise ValueError(f"blocks must be four positive integers, got {self.blocks}")
        if self.input_size < 32 or self.input_size % 32 != 0:
            raise ValueError(f"input size must be a multiple of 32 (≥ 32), got {self.input_size}")

    @property
    def uses_mfs(self) -> bool:
        return self.variant in ("tsm-channel", "amsnet")

    @property
    def uses_shift(self) -> bool:
        return self.variant != "baseline"

    def to_json(self) -> dict:
        return {
            "variant": self.variant,
            "planes": list(self.planes),
            "width": self.width,
            "blocks": list(self.blocks),
            "inputSize": self.input_size,
        }


def temporal_shift(x: torch.Tensor, steps: int, planes: int) -> torch.Tensor:
    """Channels [0, ⌊C/8⌋) at step t take their values from step t−1 (zeros at t = 0)."""
    n, c, h, w = x.shape
    fold = c // 8
    if fold == 0:
        return x
    v = x.view(n // (steps * planes), steps, planes, c, h, w)
    moved = torch.cat([torch.zeros_like(v[:, :1, :, :fold]), v[:, :-1, :, :fold]], dim=1)
    return torch.cat([moved, v[:, :, :, fold:]], dim=3).view(n, c, h, w)


class Bottleneck(nn.Module):
    """torchvision ResNet-50 v1.5 bottleneck (stride on the 3×3 conv) with TSM on the residual branch."""

    def __init__(self, in_channels: int, width: int, out_channels: int, stride: int, downsample: bool, shift: bool):
        super().__init__()
        self.shift = shift
        self.conv1 = nn.Conv2d(in_channels, width, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(width)
        self.conv2 = nn.Conv2d(width, width, 3, stride=stride, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(width)
        self.conv3 = nn.Conv2d(width, out_channels, 1, bias=False)
        self.bn3 = nn.BatchNorm2d(out_channels)
        self.downsample: Optional[nn.Sequential] = (
            nn.Sequential(nn.Conv2d(in_channels, out_channels, 1, stride=stride, bias=False), nn.BatchNorm2d(out_channels))
            if downsample
            else None
        )

    def forward(self, x: torch.Tensor, steps: int, planes: int) -> torch.Tensor:
        residual_in = temporal_shift(x, steps, planes) if self.shift else x
        y = F_.relu(self.bn1(self.conv1(residual_in)))
        y = F_.relu(self.bn2(self.conv2(y)))
        y = self.bn3(self.conv3(y))
        identity = self.downsample(x) if self.downsample is not None else x
        return F_.relu(y + identity)


class ChannelAttention(nn.Module):
    def __init__(self, channels: int):
        super().__init__()
        self.mlp = nn.Sequential(nn.Linear(channels, channels // 16), nn.ReLU(), nn.Linear(channels // 16, channels))

    def forward(self, u: torch.Tensor) -> torch.Tensor:
        a = torch.sigmoid(self.mlp(u.mean(dim=(2, 3))) + self.mlp(u.amax(dim=(2, 3))))
        return u * a[:, :, None, None]


class NonLocal(nn.Module):
    """Gaussian non-local block without θ/φ: softmax_j(xᵢ·xⱼ) over positions, out = BN(W(y)) + x."""

    def __init__(self, channels: int):
        super().__init__()
        self.g = nn.Conv2d(channels, channels // 2, 1, bias=True)
        self.W = nn.Sequential(nn.Conv2d(channels // 2, channels, 1, bias=True), nn.BatchNorm2d(channels))

    def forward(self, fm: torch.Tensor) -> torch.Tensor:
        n, c, h, w = fm.shape
        x = fm.reshape(n, c, h * w)
        attention = torch.softmax(torch.bmm(x.transpose(1, 2), x), dim=-1)
        g = self.g(fm).reshape(n, c // 2, h * w)
        y = torch.bmm(attention, g.transpose(1, 2)).transpose(1, 2).reshape(n, c // 2, h, w)
        return self.W(y) + fm


class MultiFocusSelection(nn.Module):
    def __init__(self, planes: int, c1: int, non_local: bool):
        super().__init__()
        self.attention = ChannelAttention(planes * c1)
        self.reduce = nn.Sequential(nn.Conv2d(planes * c1, c1, 1, bias=False), nn.BatchNorm2d(c1))
        if non_local:
            # `nonlocal` is a Python keyword, but it is the state-dict name §6 fixes
            self.add_module("nonlocal", NonLocal(c1))

    def forward(self, u: torch.Tensor) -> torch.Tensor:
        fm = F_.relu(self.reduce(self.attention(u)))
        block = self._modules.get("nonlocal")
        return block(fm) if block is not None else fm


class Amsnet(nn.Module):
    def __init__(self, config: ModelConfig):
        super().__init__()
        config.validate()
        self.config = config
        f = len(config.planes)
        w = config.width
        self.conv1 = nn.Conv2d(f if config.variant == "tsm" else 1, w, 7, stride=2, padding=3, bias=False)
        self.bn1 = nn.BatchNorm2d(w)
        in_channels = w
        for stage in range(4):
            width = w * 2**stage
            blocks = nn.ModuleList()
            for i in range(config.blocks[stage]):
                stride = 2 if i == 0 and stage > 0 else 1
                blocks.append(
                    Bottleneck(
                        in_channels,
                        width,
                        width * 4,
                        stride,
                        i == 0 and (stride != 1 or in_channels != width * 4),
                        config.uses_shift,
                    )
                )
                in_channels = width * 4
            self.add_module(f"layer{stage + 1}", blocks)
        if config.uses_mfs:
            self.mfs = MultiFocusSelection(f, w * 4, config.variant == "amsnet")
        self.fc = nn.Linear(w * 32, 1)
        self._initialise()

    def _initialise(self) -> None:
        # torchvision's ResNet initialisation; the last BN of each residual branch and of the
        # non-local block start at zero, so every block starts as the identity (trains from scratch)
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
            elif isinstance(m, nn.BatchNorm2d):
                nn.init.ones_(m.weight)
                nn.init.zeros_(m.bias)
        for m in self.modules():
            if isinstance(m, Bottleneck):
                nn.init.zeros_(m.bn3.weight)
            if isinstance(m, NonLocal):
                nn.init.zeros_(m.W[1].weight)

    def forward(self, frames: torch.Tensor) -> torch.Tensor:
        """frames [B, T, F, S, S] in [0, 1] → logits [B, T] (the ONNX graph outputs their sigmoid)."""
        b, t, f, s, _ = frames.shape
        x = (frames - PIXEL_MEAN) / PIXEL_STD
        variant = self.config.variant
        if variant == "baseline":
            x = x[:, :, f // 2].reshape(-1, 1, s, s)
        elif variant == "tsm":
            x = x.reshape(-1, f, s, s)
        else:
            x = x.reshape(-1, 1, s, s)
        x = F_.max_pool2d(F_.relu(self.bn1(self.conv1(x))), 3, stride=2, padding=1)
        planes = f if self.config.uses_mfs else 1
        for block in self.layer1:
            x = block(x, t, planes)
        if self.config.uses_mfs:
            _, c1, h, w = x.shape
            x = self.mfs(x.reshape(-1, f * c1, h, w))
        for layer in (self.layer2, self.layer3, self.layer4):
            for block in layer:
                x = block(x, t, 1)
        return self.fc(x.mean(dim=(2, 3))).view(b, t)


def build_model(config: ModelConfig) -> Amsnet:
    return Amsnet(config)


def exported_state_dict(model: Amsnet) -> "dict[str, torch.Tensor]":
    """The §6 tensors (float32, contiguous, on the CPU) without PyTorch's num_batches_tracked counters."""
    return {
        k: v.detach().to("cpu", torch.float32).contiguous()
        for k, v in model.state_dict().items()
        if not k.endswith("num_batches_tracked")
    }
