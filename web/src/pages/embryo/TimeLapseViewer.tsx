import { useEffect, useRef, useState, type KeyboardEvent } from 'react';
import { hours } from '../../lib/format';
import type { FrameImageCache } from '../../lib/frame-images';
import { nearestFrame, type FrameInfo } from './use-frames';

export interface Phase {
  phase: string;
  startHpi?: number | null;
}

interface Props {
  embryoLabel: string;
  frames: FrameInfo[];
  planes: number[];
  plane: number | undefined;
  onPlaneChange(plane: number): void;
  index: number;
  onIndexChange(index: number): void;
  phases: Phase[];
  images: FrameImageCache;
}

const IMAGE_SIZE = 384;
const PLAY_INTERVAL_MS = 200;
const PREFETCH = 4;

/**
 * The time-lapse: one focal plane at a time. Scrub with the slider or the keyboard (← → one frame,
 * Page Up/Down ten, Home/End, Space plays, ↑ ↓ change the focal plane), play, switch planes.
 */
export function TimeLapseViewer(props: Props) {
  const { frames, index, images } = props;
  const frame = frames[index];
  const [src, setSrc] = useState<string | undefined>();
  const [playing, setPlaying] = useState(false);
  const [imageError, setImageError] = useState(false);
  const stage = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (!frame) return;
    let current = true;
    images.load(frame.imageUrl, IMAGE_SIZE).then(
      (url) => current && (setSrc(url), setImageError(false)),
      () => current && setImageError(true),
    );
    for (let k = 1; k <= PREFETCH && index + k < frames.length; k++)
      images.load(frames[index + k].imageUrl, IMAGE_SIZE).catch(() => {});
    return () => {
      current = false;
    };
  }, [frame, frames, index, images]);

  useEffect(() => {
    if (!playing) return;
    if (index >= frames.length - 1) {
      setPlaying(false);
      return;
    }
    const timer = setTimeout(() => props.onIndexChange(index + 1), PLAY_INTERVAL_MS);
    return () => clearTimeout(timer);
  }, [playing, index, frames.length, props]);

  const go = (i: number) => props.onIndexChange(Math.max(0, Math.min(frames.length - 1, i)));
  const stepPlane = (delta: number) => {
    const at = props.planes.indexOf(props.plane ?? 0);
    const next = props.planes[at + delta];
    if (next !== undefined) props.onPlaneChange(next);
  };

  const onKeyDown = (event: KeyboardEvent) => {
    const target = event.target as HTMLElement;
    const inRange = target instanceof HTMLInputElement && target.type === 'range';
    const keys: Record<string, () => void> = {
      ArrowLeft: () => go(index - 1),
      ArrowRight: () => go(index + 1),
      PageUp: () => go(index - 10),
      PageDown: () => go(index + 10),
      Home: () => go(0),
      End: () => go(frames.length - 1),
      ArrowUp: () => stepPlane(1),
      ArrowDown: () => stepPlane(-1),
      ' ': () => setPlaying((p) => !p),
    };
    // the slider moves itself with ← → Home End PageUp PageDown; buttons and radios keep Space and arrows
    if (inRange && event.key !== 'ArrowUp' && event.key !== 'ArrowDown' && event.key !== ' ') return;
    if (!inRange && target !== stage.current) return;
    const action = keys[event.key];
    if (!action) return;
    event.preventDefault();
    action();
  };

  const first = frames[0]?.hoursPostInsemination ?? 0;
  const last = frames[frames.length - 1]?.hoursPostInsemination ?? 1;
  const position = (hpi: number) => `${Math.max(0, Math.min(100, ((hpi - first) / (last - first || 1)) * 100))}%`;
  const time = frame
    ? `${hours(frame.hoursPostInsemination)} · day ${(frame.hoursPostInsemination / 24).toFixed(2)}`
    : '';

  return (
    <section className="viewer card" aria-labelledby="viewer-title" onKeyDown={onKeyDown}>
      <h2 id="viewer-title">Time-lapse</h2>
      <div
        ref={stage}
        className="viewer__stage"
        tabIndex={0}
        role="group"
        aria-roledescription="time-lapse viewer"
        aria-label={`Embryo ${props.embryoLabel}, ${time}, focal plane ${props.plane ?? '—'} µm`}
        aria-describedby="viewer-keys"
        data-testid="viewer-stage"
      >
        {frame && src && !imageError ? (
          <img
            src={src}
            width={IMAGE_SIZE}
            height={IMAGE_SIZE}
            alt={`Embryo ${props.embryoLabel} at ${hours(frame.hoursPostInsemination)}, focal plane ${frame.focalPlaneUm} µm`}
            data-frame-id={frame.id}
            data-testid="viewer-image"
          />
        ) : (
          <div className="viewer__placeholder">
            {imageError ? 'The image could not be loaded.' : frames.length ? 'Loading image…' : 'Loading frames…'}
          </div>
        )}
        <p className="viewer__time" aria-live="polite" data-testid="viewer-time">
          {time}
          {frame ? ` · ${frame.focalPlaneUm} µm` : ''}
        </p>
      </div>
      <p id="viewer-keys" className="muted small">
        Keys: ← → frame, Page Up/Down ten frames, Home/End, Space play/pause, ↑ ↓ focal plane.
      </p>
      <div className="viewer__controls">
        <button type="button" className="button" onClick={() => go(0)} aria-label="First frame" disabled={index === 0}>
          «
        </button>
        <button
          type="button"
          className="button"
          onClick={() => go(index - 1)}
          aria-label="Previous frame"
          disabled={index === 0}
        >
          ◀
        </button>
        <button
          type="button"
          className="button button--primary"
          onClick={() => setPlaying((p) => !p)}
          aria-pressed={playing}
          data-testid="viewer-play"
        >
          {playing ? 'Pause' : 'Play'}
        </button>
        <button
          type="button"
          className="button"
          onClick={() => go(index + 1)}
          aria-label="Next frame"
          disabled={index >= frames.length - 1}
        >
          ▶
        </button>
        <button
          type="button"
          className="button"
          onClick={() => go(frames.length - 1)}
          aria-label="Last frame"
          disabled={index >= frames.length - 1}
        >
          »
        </button>
        <span className="muted">
          frame {frames.length ? index + 1 : 0} of {frames.length}
        </span>
      </div>
      <label className="viewer__slider">
        <span>Time (hours post insemination)</span>
        <input
          type="range"
          min={0}
          max={Math.max(0, frames.length - 1)}
          value={index}
          aria-valuetext={time}
          onChange={(e) => go(Number(e.target.value))}
          data-testid="viewer-slider"
        />
      </label>
      <ol className="phase-strip" aria-label="Phases (annotations) on the time axis">
        {props.phases
          .filter((p) => p.startHpi !== null && p.startHpi !== undefined)
          .map((p, i) => (
            <li key={p.phase} data-row={i % 2} style={{ left: position(p.startHpi!) }}>
              <button
                type="button"
                className="phase-strip__mark"
                onClick={() => go(nearestFrame(frames, p.startHpi!))}
                title={`${p.phase} at ${hours(p.startHpi!)}`}
              >
                {p.phase}
              </button>
            </li>
          ))}
      </ol>
      <fieldset className="planes">
        <legend>Focal plane</legend>
        {props.planes.map((um) => (
          <label key={um} className="planes__option">
            <input
              type="radio"
              name="focal-plane"
              value={um}
              checked={props.plane === um}
              onChange={() => props.onPlaneChange(um)}
            />
            {um > 0 ? `+${um}` : um} µm
          </label>
        ))}
      </fieldset>
    </section>
  );
}
