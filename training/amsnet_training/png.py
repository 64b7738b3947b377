"""Decoding the 8-bit grayscale PNGs that `amsnet export dataset --format png` writes, with zlib and
numpy only (Debian's python3-torch brings no image library)."""

import struct
import zlib

import numpy as np

from .errors import TrainingInputError

_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def read_gray_png(path: str) -> np.ndarray:
    with open(path, "rb") as f:
        raw = f.read()
    if not raw.startswith(_SIGNATURE):
        raise TrainingInputError(f"{path} is not a PNG file")
    pos, idat, header = 8, [], None
    while pos < len(raw):
        (length,) = struct.unpack(">I", raw[pos : pos + 4])
        kind = raw[pos + 4 : pos + 8]
        body = raw[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat.append(body)
        pos += 12 + length
    if header is None:
        raise TrainingInputError(f"{path}: PNG without IHDR")
    width, height, depth, colour, _, _, interlace = header
    if depth != 8 or colour != 0 or interlace != 0:
        raise TrainingInputError(f"{path}: expected an 8-bit grayscale PNG (as the exporter writes)")
    data = np.frombuffer(zlib.decompress(b"".join(idat)), dtype=np.uint8).reshape(height, width + 1)
    out = np.zeros((height, width), dtype=np.int32)
    prev = np.zeros(width, dtype=np.int32)
    for y in range(height):
        kind = data[y, 0]
        line = data[y, 1:].astype(np.int32)
        if kind == 0:
            cur = line
        elif kind == 1:
            cur = _sub(line)
        elif kind == 2:
            cur = (line + prev) & 0xFF
        elif kind == 3:
            cur = _average(line, prev)
        elif kind == 4:
            cur = _paeth(line, prev)
        else:
            raise TrainingInputError(f"{path}: unknown PNG filter {kind}")
        out[y] = cur
        prev = cur
    return out.astype(np.uint8)


def _sub(line):
    return (np.cumsum(line) & 0xFF).astype(np.int32)


def _average(line, prev):
    cur = np.zeros_like(line)
    left = 0
    for x in range(len(line)):
        left = (line[x] + ((left + prev[x]) >> 1)) & 0xFF
        cur[x] = left
    return cur


def _paeth(line, prev):
    cur = np.zeros_like(line)
    a = 0
    c = 0
    for x in range(len(line)):
        b = prev[x]
        p = a + b - c
        pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
        pred = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
        a = (line[x] + pred) & 0xFF
        cur[x] = a
        c = b
    return cur
