import { CELLS_AT, phaseAt, type DevelopmentStory } from './development-story';
import { SeededRandom } from './random';

/**
 * What the microscope sees of one embryo at one time, as a list of shapes in image-relative units
 * (centre 0.5, 0.5; radius 1 = the image side). The raster draws them in order (painter's order).
 */
export interface Ellipse {
  kind: 'ellipse';
  cx: number;
  cy: number;
  rx: number;
  ry: number;
  /** Grey level inside (0–255) and the extra brightness towards the centre (cytoplasm shading). */
  fill: number;
  shade: number;
  /** Outline: width relative to the radius, grey level, and Hoffman-style relief (lit on one side). */
  edgeWidth: number;
  edge: number;
  relief: number;
  /** Amplitude of granular texture inside (cytoplasm graininess). */
  grain: number;
}

export interface Ring {
  kind: 'ring';
  cx: number;
  cy: number;
  radius: number;
  thickness: number;
  fill: number;
  relief: number;
}

export type Shape = Ellipse | Ring;

const CENTRE = 0.5;
const ZYGOTE_RADIUS = 0.3;

function cell(cx: number, cy: number, r: number, fill: number, over: Partial<Ellipse> = {}): Ellipse {
  return {
    kind: 'ellipse',
    cx,
    cy,
    rx: r,
    ry: r * 0.96,
    fill,
    shade: 14,
    edgeWidth: 0.07,
    edge: 95,
    relief: 40,
    grain: 10,
    ...over,
  };
}

/** Positions of n blastomeres inside the zygote's outline: rings of cells, alternating depth. */
function cleavageLayout(n: number, orientation: number): Array<{ x: number; y: number; r: number }> {
  const r = ZYGOTE_RADIUS * Math.pow(n, -1 / 3) * (n === 1 ? 1 : 1.08);
  if (n === 1) return [{ x: CENTRE, y: CENTRE, r }];
  const spread = ZYGOTE_RADIUS - r;
  return Array.from({ length: n }, (_, i) => {
    const inner = n >= 5 && i % 3 === 2; // some cells lie above/below the others: drawn nearer the centre
    const angle = orientation + (2 * Math.PI * i) / n;
    const d = spread * (inner ? 0.35 : 0.95);
    return { x: CENTRE + d * Math.cos(angle), y: CENTRE + d * Math.sin(angle), r };
  });
}

/** The shapes of the embryo of `story` at `hpi` (hours post insemination). */
export function sceneAt(story: DevelopmentStory, hpi: number): Shape[] {
  const layout = new SeededRandom(story.layoutSeed);
  const shapes: Shape[] = [];
  const current = phaseAt(story, hpi);
  const phase = current?.phase;
  // Degeneration after arrest: cytoplasm darkens and loses its outline over about a day.
  const decay = story.arrestHpi !== null && hpi > story.arrestHpi ? Math.min(1, (hpi - story.arrestHpi) / 24) : 0;
  const lastHpi = story.events[story.events.length - 1].hpi;
  const fragmentProgress =
    story.fragmentation * Math.min(1, Math.max(0, (hpi - story.events[0].hpi) / Math.max(1, lastHpi + 12)));

  // Blastocyst expansion from start of blastulation: 0 at tSB, 1 at tB, 2 at tEB and beyond.
  const blast = blastulation(story, hpi);
  const zonaGrowth = Math.max(0, blast - 1) * 0.06;
  const zonaRadius = story.zonaRadius + zonaGrowth;
  shapes.push({
    kind: 'ring',
    cx: CENTRE,
    cy: CENTRE,
    radius: zonaRadius,
    thickness: 0.028 - zonaGrowth * 0.15,
    fill: 182,
    relief: 30,
  });

  // Polar body in the perivitelline space once extruded.
  if (phase) {
    const a = story.orientation + 2.2;
    const d = (ZYGOTE_RADIUS + zonaRadius) / 2 + 0.005;
    shapes.push(cell(CENTRE + d * Math.cos(a), CENTRE + d * Math.sin(a), 0.028, 150, { grain: 4, edge: 110 }));
  }

  const fill = 158 - decay * 55;
  const relief = 40 * (1 - decay * 0.7);
  if (blast > 0) {
    shapes.push(...blastocystShapes(story, blast));
  } else if (phase === 'tM') {
    // Morula: cells compact into one mass whose boundaries fade.
    shapes.push(cell(CENTRE, CENTRE, ZYGOTE_RADIUS * 0.86, fill - 6, { grain: 14, relief }));
    for (const c of cleavageLayout(8, story.orientation)) {
      shapes.push(
        cell(CENTRE + (c.x - CENTRE) * 0.55, CENTRE + (c.y - CENTRE) * 0.55, c.r * 0.6, fill - 4, {
          edge: fill - 22,
          relief: 8,
          shade: 4,
        }),
      );
    }
  } else {
    const cells = phase ? CELLS_AT[phase] : 1;
    const layoutCells = cleavageLayout(Math.min(cells, 12), story.orientation);
    layoutCells.forEach((c, i) => {
      // irregular cleavage: sister blastomeres of unequal size
      const uneven = cells > 1 ? 1 + story.unevenness * (i % 2 === 0 ? 0.5 : -0.5) : 1;
      const r = c.r * (1 - fragmentProgress * 0.3) * uneven;
      shapes.push(cell(c.x, c.y, r, fill, { relief }));
      if (story.multinucleation && cells >= 2 && cells <= 4) {
        // several small nuclei per blastomere instead of one (visible until the 5-cell stage)
        for (const s of [-1, 1]) {
          shapes.push(
            cell(c.x + s * r * 0.3, c.y - s * r * 0.12, r * 0.18, 176, { grain: 2, edge: 122, relief: 20, shade: 5 }),
          );
        }
      }
    });
    if (phase === 'tPNa') {
      // Two pronuclei, side by side, until they fade at tPNf.
      for (const s of [-1, 1]) {
        shapes.push(cell(CENTRE + s * 0.045, CENTRE + 0.01, 0.045, 172, { grain: 3, edge: 120, relief: 25, shade: 6 }));
      }
    }
  }

  // Fragments: small dark bodies at fixed spots of this embryo, more of them as fragmentation grows.
  const spots = Array.from({ length: 40 }, () => ({
    a: layout.between(0, 2 * Math.PI),
    d: layout.between(0.1, 0.31),
    r: layout.between(0.012, 0.03),
  }));
  const count = Math.round(fragmentProgress * spots.length * 1.6);
  for (const s of spots.slice(0, Math.min(count, spots.length))) {
    shapes.push(
      cell(CENTRE + s.d * Math.cos(s.a), CENTRE + s.d * Math.sin(s.a), s.r, 120 - decay * 20, {
        grain: 6,
        edge: 80,
        relief: 20,
      }),
    );
  }
  return shapes;
}

function blastulation(story: DevelopmentStory, hpi: number): number {
  const at = (p: string) => story.events.find((e) => e.phase === p)?.hpi;
  const tSB = at('tSB');
  const tB = at('tB');
  const tEB = at('tEB');
  if (tSB === undefined || hpi < tSB || tB === undefined) return 0;
  if (hpi < tB) return Math.max(0.05, (hpi - tSB) / (tB - tSB));
  if (tEB === undefined || hpi < tEB) return 1 + (hpi - tB) / Math.max(1, (tEB ?? tB + 10) - tB);
  return Math.min(2.6, 2 + (hpi - tEB) / 30);
}

/** A blastocyst: trophectoderm shell, fluid-filled cavity that grows, inner cell mass on one side. */
function blastocystShapes(story: DevelopmentStory, blast: number): Shape[] {
  const outer = ZYGOTE_RADIUS * (0.88 + 0.12 * Math.min(blast, 1)) + Math.max(0, blast - 1) * 0.055;
  const cavity = outer * Math.min(0.9, 0.25 + 0.5 * blast);
  const icmR = 0.075 + 0.01 * Math.min(blast, 1);
  const icmD = outer - icmR - 0.01;
  return [
    cell(CENTRE, CENTRE, outer, 150, { grain: 12, edgeWidth: 0.05 }),
    cell(
      CENTRE + 0.02 * Math.cos(story.icmAngle + Math.PI),
      CENTRE + 0.02 * Math.sin(story.icmAngle + Math.PI),
      cavity,
      196,
      { grain: 3, shade: 4, edge: 135, edgeWidth: 0.04, relief: 18 },
    ),
    cell(CENTRE + icmD * Math.cos(story.icmAngle), CENTRE + icmD * Math.sin(story.icmAngle), icmR, 128, {
      grain: 18,
      edge: 100,
      relief: 22,
    }),
  ];
}
