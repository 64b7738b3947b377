import { createHash } from 'node:crypto';
import sharp from 'sharp';
import type { DataSource } from 'typeorm';
import type { Embryo } from '../../src/entities';

/**
 * Frame timelines with real (tiny) PNG pixels, inserted in bulk: one 48×48 gray image per
 * (hpi, plane) whose brightness depends on both, so different inputs give different predictions.
 */
const images = new Map<string, Promise<Buffer>>();

function pixels(hpi: number, planeUm: number): Promise<Buffer> {
  const key = `${hpi}:${planeUm}`;
  let png = images.get(key);
  if (!png) {
    const side = 48;
    const values = new Uint8Array(side * side);
    const base = Math.round(40 + ((hpi * 7 + planeUm * 3 + 500) % 170));
    for (let y = 0; y < side; y++)
      for (let x = 0; x < side; x++) values[y * side + x] = (base + ((x * 5 + y * 3) % 40)) % 256;
    png = sharp(values, { raw: { width: side, height: side, channels: 1 } })
      .png()
      .toBuffer();
    images.set(key, png);
  }
  return png;
}

/** Adds frames at every hpi × plane (skips those already stored). */
export async function addFrames(ds: DataSource, embryo: Embryo, hpis: number[], planes: number[]): Promise<void> {
  const rows: Array<[number, number, string, Buffer]> = [];
  for (const hpi of hpis) {
    for (const plane of planes) {
      const png = await pixels(hpi, plane);
      rows.push([hpi, plane, createHash('sha256').update(png).digest('hex'), png]);
    }
  }
  if (!rows.length) return;
  await ds.query(
    `INSERT INTO frame_image (sha256, bytes, mime) SELECT * FROM unnest($1::text[], $2::bytea[], $3::text[]) ON CONFLICT DO NOTHING`,
    [rows.map((r) => r[2]), rows.map((r) => r[3]), rows.map(() => 'image/png')],
  );
  await ds.query(
    `INSERT INTO frame (embryo_id, hours_post_insemination, focal_plane_um, width, height, sha256, source)
     SELECT $1, h, p, 48, 48, s, 'test' FROM unnest($2::float8[], $3::int[], $4::text[]) AS t(h, p, s)
     ON CONFLICT DO NOTHING`,
    [embryo.id, rows.map((r) => r[0]), rows.map((r) => r[1]), rows.map((r) => r[2])],
  );
}

/** Every 2 hours from 1 h up to (excluding) `untilHpi`. */
export function everyTwoHours(untilHpi: number, from = 1): number[] {
  const out: number[] = [];
  for (let h = from; h < untilHpi; h += 2) out.push(h);
  return out;
}

/** Trajectories as comparable data: per embryo label, the (segment, probability, inputs) rows. */
export async function trajectories(
  ds: DataSource,
  clinicId: string,
  modelVersionId: string,
): Promise<Record<string, Array<{ segment: number; probability: number; imputed: boolean }>>> {
  const rows: Array<{ label: string; segment: number; probability: number; imputed: boolean }> = await ds.query(
    `SELECT e.label, p.segment, p.probability, (p.inputs->>'imputed')::boolean AS imputed
       FROM prediction p JOIN embryo e ON e.id = p.embryo_id
      WHERE e.clinic_id = $1 AND p.model_version_id = $2 ORDER BY e.label, p.segment`,
    [clinicId, modelVersionId],
  );
  const out: Record<string, Array<{ segment: number; probability: number; imputed: boolean }>> = {};
  for (const r of rows)
    (out[r.label] ??= []).push({ segment: r.segment, probability: r.probability, imputed: r.imputed });
  return out;
}
