import { useEffect, useState } from 'react';
import { execute } from '../../api/client';
import { EmbryoFramesDocument, type EmbryoFramesQuery } from '../../api/generated';

export type FrameInfo = EmbryoFramesQuery['embryo']['frames']['edges'][number]['node'];

export interface FramesState {
  /** Focal planes recorded for the embryo, ascending (µm). */
  planes: number[];
  /** Frames of the chosen plane, by time (of the previous plane while `loading`). */
  frames: FrameInfo[];
  loading: boolean;
  error: unknown;
}

/**
 * The embryo's focal planes (from its first frames: the API lists frames by time, then plane) and
 * every frame of one plane, page by page.
 */
export function useFrames(embryoId: string, plane: number | undefined): FramesState {
  const [planes, setPlanes] = useState<number[]>([]);
  const [byPlane, setByPlane] = useState<{ plane?: number; frames: FrameInfo[] }>({ frames: [] });
  const [error, setError] = useState<unknown>();

  useEffect(() => {
    const controller = new AbortController();
    execute(EmbryoFramesDocument, { id: embryoId }, { signal: controller.signal }).then(
      (d) => setPlanes([...new Set(d.embryo.frames.edges.map((e) => e.node.focalPlaneUm))].sort((a, b) => a - b)),
      (e: unknown) => (e as Error).name !== 'AbortError' && setError(e),
    );
    return () => controller.abort();
  }, [embryoId]);

  useEffect(() => {
    if (plane === undefined) return;
    const controller = new AbortController();
    (async () => {
      const frames: FrameInfo[] = [];
      let after: string | null | undefined;
      do {
        const d = await execute(
          EmbryoFramesDocument,
          { id: embryoId, focalPlaneUm: plane, after },
          { signal: controller.signal },
        );
        frames.push(...d.embryo.frames.edges.map((e) => e.node));
        after = d.embryo.frames.pageInfo.hasNextPage ? d.embryo.frames.pageInfo.endCursor : undefined;
      } while (after);
      setByPlane({ plane, frames });
    })().catch((e: unknown) => (e as Error).name !== 'AbortError' && setError(e));
    return () => controller.abort();
  }, [embryoId, plane]);

  // the previous plane's frames stay on screen until the new plane's have arrived: no blank flash
  return { planes, frames: byPlane.frames, loading: plane === undefined || byPlane.plane !== plane, error };
}

/** Index of the frame nearest in time to `hpi`. */
export function nearestFrame(frames: FrameInfo[], hpi: number): number {
  let best = 0;
  frames.forEach((f, i) => {
    if (Math.abs(f.hoursPostInsemination - hpi) < Math.abs(frames[best].hoursPostInsemination - hpi)) best = i;
  });
  return best;
}
