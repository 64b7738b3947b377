import { percent } from '../lib/format';

interface Point {
  day: number;
  probability: number;
  imputed: boolean;
}

/** A trajectory at a glance: probability by day (0–7), imputed segments as hollow dots. */
export function Sparkline({ points }: { points: Point[] }) {
  const w = 140;
  const h = 28;
  const sx = (d: number) => 3 + (d / 7) * (w - 6);
  const sy = (p: number) => 3 + (1 - p) * (h - 6);
  if (points.length === 0) return <span className="muted">not scored</span>;
  const first = points[0];
  const last = points[points.length - 1];
  const imputed = points.filter((p) => p.imputed).length;
  const label = `Trajectory of ${points.length} points, from ${percent(first.probability, 0)} on day ${first.day.toFixed(2)} to ${percent(last.probability, 0)} on day ${last.day.toFixed(2)}${imputed ? `, ${imputed} imputed` : ''}`;
  return (
    <svg className="sparkline" width={w} height={h} viewBox={`0 0 ${w} ${h}`} role="img" aria-label={label}>
      <line className="sparkline__mid" x1={0} x2={w} y1={sy(0.5)} y2={sy(0.5)} />
      <polyline points={points.map((p) => `${sx(p.day)},${sy(p.probability)}`).join(' ')} />
      {points
        .filter((p) => p.imputed)
        .map((p) => (
          <circle key={p.day} className="sparkline__imputed" cx={sx(p.day)} cy={sy(p.probability)} r={2.6} />
        ))}
      <circle className="sparkline__last" cx={sx(last.day)} cy={sy(last.probability)} r={2.6} />
    </svg>
  );
}
