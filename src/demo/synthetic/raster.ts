import type { Ellipse, Ring, Shape } from './embryo-scene';

/** Direction the light comes from in the modulation-contrast look (upper left). */
const LIGHT_ANGLE = -Math.PI * 0.75;

/**
 * Draws shapes into an 8-bit grey image of `size`×`size` pixels: culture medium with a dark well
 * edge, then the shapes in order, then sensor noise that differs by `noiseSeed` (frame) only.
 */
export function rasterise(shapes: readonly Shape[], size: number, noiseSeed: number): Uint8Array {
  const image = new Float32Array(size * size);
  background(image, size);
  for (const shape of shapes) {
    if (shape.kind === 'ring') drawRing(image, size, shape);
    else drawEllipse(image, size, shape);
  }
  const out = new Uint8Array(size * size);
  for (let i = 0; i < out.length; i++) {
    const noise = (hash(i, noiseSeed) - 0.5) * 9;
    out[i] = clamp(image[i] + noise);
  }
  return out;
}

function background(image: Float32Array, size: number): void {
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const dx = (x + 0.5) / size - 0.5;
      const dy = (y + 0.5) / size - 0.5;
      const d = Math.sqrt(dx * dx + dy * dy);
      // The micro-well wall darkens the corners of the field of view.
      image[y * size + x] = d < 0.47 ? 142 - d * 18 : 142 - d * 18 - (d - 0.47) * 900;
    }
  }
}

function drawEllipse(image: Float32Array, size: number, e: Ellipse): void {
  const [x0, x1, y0, y1] = bounds(size, e.cx, e.cy, Math.max(e.rx, e.ry));
  const grainSeed = Math.round(e.cx * 7919 + e.cy * 104729);
  for (let y = y0; y <= y1; y++) {
    for (let x = x0; x <= x1; x++) {
      const u = ((x + 0.5) / size - e.cx) / e.rx;
      const v = ((y + 0.5) / size - e.cy) / e.ry;
      const d = Math.sqrt(u * u + v * v);
      if (d > 1) continue;
      const i = y * size + x;
      if (d > 1 - e.edgeWidth) {
        const lit = Math.cos(Math.atan2(v, u) - LIGHT_ANGLE);
        image[i] = e.edge + e.relief * lit;
      } else {
        const grain = (hash(Math.floor(x / 2) * 131 + Math.floor(y / 2), grainSeed) - 0.5) * e.grain;
        image[i] = e.fill + e.shade * (1 - d * d) + grain;
      }
    }
  }
}

function drawRing(image: Float32Array, size: number, r: Ring): void {
  const outer = r.radius + r.thickness / 2;
  const inner = r.radius - r.thickness / 2;
  const [x0, x1, y0, y1] = bounds(size, r.cx, r.cy, outer);
  for (let y = y0; y <= y1; y++) {
    for (let x = x0; x <= x1; x++) {
      const dx = (x + 0.5) / size - r.cx;
      const dy = (y + 0.5) / size - r.cy;
      const d = Math.sqrt(dx * dx + dy * dy);
      if (d < inner || d > outer) continue;
      const lit = Math.cos(Math.atan2(dy, dx) - LIGHT_ANGLE);
      // The zona is brighter in its middle and its two borders show the relief in opposite senses.
      const across = (d - inner) / (outer - inner);
      image[y * size + x] = r.fill + r.relief * lit * (across < 0.5 ? -1 : 1) * 0.6 - Math.abs(across - 0.5) * 30;
    }
  }
}

function bounds(size: number, cx: number, cy: number, radius: number): [number, number, number, number] {
  const lo = (c: number) => Math.max(0, Math.floor((c - radius) * size));
  const hi = (c: number) => Math.min(size - 1, Math.ceil((c + radius) * size));
  return [lo(cx), hi(cx), lo(cy), hi(cy)];
}

/** Integer hash → [0, 1): cheap, deterministic texture and noise. */
function hash(a: number, b: number): number {
  let h = Math.imul(a ^ 0x27d4eb2d, 0x165667b1) ^ Math.imul(b + 0x3c6ef372, 0x85ebca6b);
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  h ^= h >>> 12;
  return (h >>> 0) / 4294967296;
}

const clamp = (v: number) => (v < 0 ? 0 : v > 255 ? 255 : Math.round(v));
