/**
 * Frame timelines and the segment grid of DESIGN.md §5, as plain data: no database, no images.
 * Everything in src/inference/sampling is pure so that the sampling rules can be tested on
 * hand-made timelines.
 */
import { SEGMENT_COUNT, SEGMENT_HOURS } from '../../entities/enums';
import type { FrameRef } from '../../entities/repositories';

/** One stored frame as sampling sees it (without its pixels). */
export type { FrameRef };

/** All planes acquired at (nearly) the same moment. */
export interface TimePoint {
  hpi: number;
  /** planeUm → frame */
  frames: Map<number, FrameRef>;
}

/**
 * Planes of one acquisition are stored with their own timestamps, a few seconds apart in some
 * sources. Frames closer than this (3 min) to the first frame of a time point belong to it; the
 * incubators photograph every 10–15 min, so two acquisitions never merge.
 */
export const TIME_POINT_TOLERANCE_HOURS = 0.05;

/** Observations past 7 days of culture are outside the model's time axis. */
export const CULTURE_HORIZON_HOURS = SEGMENT_HOURS * SEGMENT_COUNT;

/** Groups frames into time points, ascending by hpi; on a duplicate plane the earlier frame wins. */
export function groupTimePoints(frames: readonly FrameRef[]): TimePoint[] {
  const sorted = frames
    .filter((f) => Number.isFinite(f.hpi) && f.hpi >= 0 && f.hpi < CULTURE_HORIZON_HOURS)
    .sort((a, b) => a.hpi - b.hpi || a.planeUm - b.planeUm);
  const points: TimePoint[] = [];
  let current: TimePoint | undefined;
  for (const frame of sorted) {
    if (!current || frame.hpi - current.hpi > TIME_POINT_TOLERANCE_HOURS) {
      current = { hpi: frame.hpi, frames: new Map() };
      points.push(current);
    }
    if (!current.frames.has(frame.planeUm)) current.frames.set(frame.planeUm, frame);
  }
  return points;
}

/** Segment k covers [6k, 6k+6) hpi. */
export function segmentOf(hpi: number): number {
  return Math.floor(hpi / SEGMENT_HOURS);
}

/** The middle of segment k, 6k+3 hpi: the moment its frame should be closest to. */
export function segmentMiddle(segment: number): number {
  return SEGMENT_HOURS * segment + SEGMENT_HOURS / 2;
}

/** "Prediction at segment k is at hpi 6(k+1)". */
export function predictionHpi(segment: number): number {
  return SEGMENT_HOURS * (segment + 1);
}

/**
 * How many leading segments are complete (DESIGN.md §5): segment k is complete when a frame with
 * hpi ≥ 6(k+1) exists, or when the culture has ended. After the end of culture every segment that
 * began before the end (and every segment up to the last frame) is complete: nothing more will come.
 * Only complete segments are scored, so a prediction never changes once written.
 */
export function completeSegmentCount(latestFrameHpi: number | null, cultureEndedHpi: number | null): number {
  const byFrames = latestFrameHpi === null ? 0 : Math.floor(latestFrameHpi / SEGMENT_HOURS);
  if (cultureEndedHpi === null) return Math.min(SEGMENT_COUNT, byFrames);
  const lastFrameSegments = latestFrameHpi === null ? 0 : segmentOf(latestFrameHpi) + 1;
  const beforeEnd = Math.ceil(cultureEndedHpi / SEGMENT_HOURS);
  return Math.min(SEGMENT_COUNT, Math.max(byFrames, lastFrameSegments, beforeEnd));
}
