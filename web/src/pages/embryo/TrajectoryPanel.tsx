import type { TrajectoryFieldsFragment } from '../../api/generated';
import { ChartLegend, LineChart } from '../../components/LineChart';
import { ProvenanceTag } from '../../components/ProvenanceBanner';
import { hours, percent } from '../../lib/format';
import type { FrameInfo } from './use-frames';
import type { Phase } from './TimeLapseViewer';

const SEGMENT_HOURS = 6;

interface Props {
  trajectory: TrajectoryFieldsFragment;
  phases: Phase[];
  /** Frames of the plane on screen: those inside each segment's window are listed per point. */
  frames: FrameInfo[];
  currentHpi: number | undefined;
  onSeek(hpi: number): void;
}

/**
 * Probability of blastocyst formation per 6 h segment against the day of culture, phases as
 * markers on the time axis, the viewer's time as a cursor; a point (or its row) moves the viewer
 * to that segment.
 */
export function TrajectoryPanel({ trajectory, phases, frames, currentHpi, onSeek }: Props) {
  const points = trajectory.points;
  const maxDay = Math.max(7, Math.ceil(points[points.length - 1]?.day ?? 0));
  const framesIn = (segment: number) =>
    frames.filter(
      (f) =>
        f.hoursPostInsemination >= segment * SEGMENT_HOURS && f.hoursPostInsemination < (segment + 1) * SEGMENT_HOURS,
    );
  const imputed = points.filter((p) => p.imputed).length;

  return (
    <section className="card" aria-labelledby="trajectory-title">
      <h2 id="trajectory-title">Trajectory</h2>
      <p className="facts">
        <span>
          Model {trajectory.model.name} <span className="muted">{trajectory.model.version}</span> (
          {trajectory.model.variant})
        </span>
        <ProvenanceTag model={trajectory.model} />
        {trajectory.model.shadow && <span className="tag tag--warn">shadow model (administrators only)</span>}
        <span>
          {points.length} segments scored, {imputed} imputed
        </span>
      </p>
      <LineChart
        title="Probability of blastocyst formation by day"
        description={`${points.length} points; latest ${percent(points[points.length - 1]?.probability)}; hollow points are imputed segments.`}
        series={[
          {
            label: 'Probability',
            className: 'series-1',
            points: points.map((p) => ({
              x: p.day,
              y: p.probability,
              hollow: p.imputed,
              title: `Segment ${p.segment} (${p.segment * 6}–${p.segment * 6 + 6} h): ${percent(p.probability)}${p.imputed ? ', imputed' : ''}`,
            })),
          },
        ]}
        xDomain={[0, maxDay]}
        yDomain={[0, 1]}
        xTicks={Array.from({ length: maxDay + 1 }, (_, d) => d)}
        yTicks={[0, 0.25, 0.5, 0.75, 1]}
        formatX={(d) => `day ${d}`}
        formatY={(p) => `${p * 100} %`}
        xLabel="Day of culture (hours post insemination / 24)"
        yLabel="P(blastocyst)"
        markers={phases
          .filter((p) => p.startHpi !== null && p.startHpi !== undefined)
          .map((p) => ({ x: p.startHpi! / 24, label: p.phase }))}
        reference={[0, 0.5, maxDay, 0.5]}
        cursorX={currentHpi !== undefined ? currentHpi / 24 : undefined}
        onPointClick={(_, i) => onSeek(points[i].hoursPostInsemination - SEGMENT_HOURS / 2)}
      />
      <ChartLegend
        items={[
          { label: 'probability (hollow: imputed segment)', className: 'series-1' },
          { label: 'phase annotations', className: 'series-marker' },
        ]}
      />
      <details>
        <summary>Points and frames per segment</summary>
        <p className="muted small">
          The frames recorded in each segment's window, in the focal plane on screen. The model takes the frame nearest
          the middle of the window; the exact frames it used are not yet published by the API.
        </p>
        <table className="table table--compact" data-testid="trajectory-table">
          <thead>
            <tr>
              <th scope="col" className="num">
                Segment
              </th>
              <th scope="col">Window</th>
              <th scope="col" className="num">
                Probability
              </th>
              <th scope="col">Imputed</th>
              <th scope="col">Frames in window</th>
              <th scope="col">
                <span className="visually-hidden">Show</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {points.map((p) => {
              const inWindow = framesIn(p.segment);
              return (
                <tr key={p.segment}>
                  <td className="num">{p.segment}</td>
                  <td>
                    {p.segment * 6}–{p.segment * 6 + 6} h
                  </td>
                  <td className="num">{percent(p.probability)}</td>
                  <td>{p.imputed ? 'yes (reused a neighbour)' : 'no'}</td>
                  <td>{inWindow.length ? inWindow.map((f) => hours(f.hoursPostInsemination)).join(', ') : 'none'}</td>
                  <td>
                    <button
                      type="button"
                      className="button button--quiet"
                      onClick={() => onSeek(p.hoursPostInsemination - SEGMENT_HOURS / 2)}
                    >
                      Show segment {p.segment}
                    </button>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </details>
    </section>
  );
}
