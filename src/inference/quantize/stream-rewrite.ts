import type { StateSite } from '../amsnet/emit-context';
import type { OnnxModel, OnnxNode, OnnxTensor, OnnxValueInfo } from '../onnx/onnx-proto';
import { encodeModel } from '../onnx/onnx-proto';
import { GraphView } from './graph-view';
import { pruneDead } from './qdq-transform';

const INT64_END = Number.MAX_SAFE_INTEGER;

function int64(name: string, values: number[]): OnnxTensor {
  const data = new BigInt64Array(values.map((v) => BigInt(v)));
  return { name, dims: [values.length], dataType: 7, rawData: new Uint8Array(data.buffer) };
}

function stateInfo(name: string, planes: number, size: number): OnnxValueInfo {
  return {
    name,
    type: {
      tensorType: {
        elemType: 1,
        shape: { dim: [{ dimParam: 'batch' }, { dimValue: 1 }, { dimValue: planes }, { dimValue: size }] },
      },
    },
  };
}

/**
 * The streaming form of a builder-made graph that cannot be emitted again from float weights (an
 * int8 model): the file's own graph, with each temporal shift's zero padding before segment 0
 * (`<site>.pad`, the builder's delayOneSegment) replaced by a carried state input, and the last
 * segment of the chunk exposed as the state output — what emitAmsnet's `stream` form does. Every
 * other node, quantised or not, is the file's. Null when a shift site does not have the exact
 * shape the builder writes (the graph was edited, or is not the builder's).
 */
export function rewriteToStream(model: OnnxModel): { onnx: Uint8Array; sites: StateSite[] } | null {
  const view = new GraphView(model);
  const sites: StateSite[] = [];
  const extra: OnnxTensor[] = [
    int64('stream.last_start', [-1]),
    int64('stream.last_end', [INT64_END]),
    int64('stream.axis1', [1]),
  ];
  const replaced = new Map<OnnxNode, OnnxNode[]>();
  for (const n of model.graph.node) {
    const m = n.opType === 'Pad' ? /^(.+)\.pad#\d+$/.exec(n.name ?? '') : null;
    if (!m) continue;
    const site = m[1];
    const pads = view.int64Initializer(n.input[1]);
    if (n.input.length !== 2 || !pads || pads.join(',') !== '0,1,0,0,0,0,0,0') return null;
    const reshape = view.producer.get(n.input[0]);
    const shape = reshape?.opType === 'Reshape' ? view.producer.get(reshape.input[1]) : undefined;
    const rest = shape?.opType === 'Concat' ? view.int64Initializer(shape.input[2]) : null;
    const next = view.consumers.get(n.output[0]) ?? [];
    if (!rest || rest.length !== 2 || next.length !== 1 || next[0].opType !== 'Slice') return null;
    const [planes, size] = rest;
    const input = `state.${site}`;
    const output = `state_out.${site}`;
    sites.push({ name: site, input, output, planes, size });
    replaced.set(n, [
      {
        input: [input, n.input[0]],
        output: [n.output[0]],
        name: `${site}.carry`,
        opType: 'Concat',
        attribute: [{ name: 'axis', type: 2, i: 1 }],
      },
      {
        input: [n.input[0], 'stream.last_start', 'stream.last_end', 'stream.axis1'],
        output: [output],
        name: `${site}.last`,
        opType: 'Slice',
        attribute: [],
      },
    ]);
  }
  if (sites.length === 0) return null;
  const graph = model.graph;
  const stream: OnnxModel = {
    ...model,
    metadataProps: [],
    graph: {
      ...graph,
      name: `${graph.name ?? 'graph'}-stream`,
      node: graph.node.flatMap((n) => replaced.get(n) ?? [n]),
      initializer: [...graph.initializer, ...extra],
      input: [...graph.input, ...sites.map((s) => stateInfo(s.input, s.planes, s.size))],
      output: [...graph.output, ...sites.map((s) => stateInfo(s.output, s.planes, s.size))],
    },
  };
  // the pads constants of the replaced Pad nodes are left unused
  return { onnx: encodeModel(pruneDead(stream)), sites };
}
