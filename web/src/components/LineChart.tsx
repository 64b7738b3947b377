/**
 * A small SVG line chart: axes with ticks, one or more series, optional vertical markers (phases)
 * and a cursor. SVG keeps the text crisp and readable by screen readers, costs no library, and
 * the charts here are small (at most 28 points per series); each chart also has a data table.
 */
export interface ChartPoint {
  x: number;
  y: number;
  /** Drawn hollow (imputed segments). */
  hollow?: boolean;
  /** Tooltip text. */
  title?: string;
}

export interface ChartSeries {
  label: string;
  points: ChartPoint[];
  /** CSS class choosing the colour and dash (styles.css: .series-1 …). */
  className: string;
  showPoints?: boolean;
}

export interface ChartMarker {
  x: number;
  label: string;
}

export interface LineChartProps {
  title: string;
  description: string;
  series: ChartSeries[];
  xDomain: [number, number];
  yDomain: [number, number];
  xTicks: number[];
  yTicks: number[];
  formatX?: (x: number) => string;
  formatY?: (y: number) => string;
  xLabel: string;
  yLabel: string;
  markers?: ChartMarker[];
  cursorX?: number;
  /** A reference line from (x0,y0) to (x1,y1), e.g. the ROC diagonal or the 0.5 threshold. */
  reference?: [number, number, number, number];
  onPointClick?: (series: number, index: number) => void;
  width?: number;
  height?: number;
  square?: boolean;
}

const M = { top: 12, right: 16, bottom: 44, left: 52 };

export function LineChart(props: LineChartProps) {
  const width = props.width ?? 720;
  const height = props.height ?? 260;
  const [x0, x1] = props.xDomain;
  const [y0, y1] = props.yDomain;
  const plotW = width - M.left - M.right;
  const plotH = height - M.top - M.bottom;
  const sx = (x: number) => M.left + ((x - x0) / (x1 - x0 || 1)) * plotW;
  const sy = (y: number) => M.top + plotH - ((y - y0) / (y1 - y0 || 1)) * plotH;
  const fx = props.formatX ?? String;
  const fy = props.formatY ?? String;
  const markers = props.markers ?? [];

  return (
    <svg
      className={`chart${props.square ? ' chart--square' : ''}`}
      viewBox={`0 0 ${width} ${height}`}
      role="img"
      aria-labelledby={undefined}
      aria-label={`${props.title}. ${props.description}`}
    >
      <title>{props.title}</title>
      <desc>{props.description}</desc>
      <g className="chart__grid" aria-hidden="true">
        {props.yTicks.map((t) => (
          <g key={`y${t}`}>
            <line x1={M.left} x2={M.left + plotW} y1={sy(t)} y2={sy(t)} />
            <text x={M.left - 6} y={sy(t)} dy="0.32em" textAnchor="end">
              {fy(t)}
            </text>
          </g>
        ))}
        {props.xTicks.map((t) => (
          <g key={`x${t}`}>
            <line x1={sx(t)} x2={sx(t)} y1={M.top} y2={M.top + plotH} />
            <text x={sx(t)} y={M.top + plotH + 16} textAnchor="middle">
              {fx(t)}
            </text>
          </g>
        ))}
        <text className="chart__axis-label" x={M.left + plotW / 2} y={height - 6} textAnchor="middle">
          {props.xLabel}
        </text>
        <text
          className="chart__axis-label"
          transform={`translate(14 ${M.top + plotH / 2}) rotate(-90)`}
          textAnchor="middle"
        >
          {props.yLabel}
        </text>
      </g>
      {markers.map((m, i) => (
        <g key={`m${i}`} className="chart__marker">
          <line x1={sx(m.x)} x2={sx(m.x)} y1={M.top} y2={M.top + plotH} />
          <text x={sx(m.x) + 3} y={M.top + 10 + (i % 3) * 11}>
            {m.label}
          </text>
        </g>
      ))}
      {props.reference && (
        <line
          className="chart__reference"
          x1={sx(props.reference[0])}
          y1={sy(props.reference[1])}
          x2={sx(props.reference[2])}
          y2={sy(props.reference[3])}
        />
      )}
      {props.series.map((s, si) => (
        <g key={s.label} className={`chart__series ${s.className}`}>
          <polyline fill="none" points={s.points.map((p) => `${sx(p.x)},${sy(p.y)}`).join(' ')} />
          {s.showPoints !== false &&
            s.points.map((p, pi) => (
              <circle
                key={pi}
                cx={sx(p.x)}
                cy={sy(p.y)}
                r={p.hollow ? 4.5 : 3.5}
                className={p.hollow ? 'chart__point chart__point--hollow' : 'chart__point'}
                onClick={props.onPointClick ? () => props.onPointClick!(si, pi) : undefined}
              >
                {p.title && <title>{p.title}</title>}
              </circle>
            ))}
        </g>
      ))}
      {props.cursorX !== undefined && props.cursorX >= x0 && props.cursorX <= x1 && (
        <line className="chart__cursor" x1={sx(props.cursorX)} x2={sx(props.cursorX)} y1={M.top} y2={M.top + plotH} />
      )}
      <rect className="chart__frame" x={M.left} y={M.top} width={plotW} height={plotH} fill="none" />
    </svg>
  );
}

/** A legend as a list, so each series is named in text too. */
export function ChartLegend({ items }: { items: { label: string; className: string }[] }) {
  return (
    <ul className="chart-legend">
      {items.map((i) => (
        <li key={i.label}>
          <svg width="24" height="10" aria-hidden="true" className={`chart__series ${i.className}`}>
            <line x1="0" x2="24" y1="5" y2="5" />
          </svg>
          {i.label}
        </li>
      ))}
    </ul>
  );
}
