import type { OnnxModel, OnnxNode, OnnxTensor } from '../onnx/onnx-proto';
import { GraphView } from './graph-view';

const UINT8 = 2;
const INT8 = 3;
const INT32 = 6;
const FLOAT = 1;

/** Observed [min, max] of activation tensors over the calibration frames, by tensor name. */
export type ActivationRanges = Map<string, [number, number]>;

interface ConvSite {
  node: OnnxNode;
  /** The activation the conv reads. */
  input: string;
  /** What is quantized after the conv: its output, or the output of the ReLU that alone follows it. */
  output: string;
}

function convSites(view: GraphView): ConvSite[] {
  return view.model.graph.node
    .filter((n) => n.opType === 'Conv')
    .map((node) => ({ node, input: node.input[0], output: afterRelu(view, node) }));
}

/** The output of a node, or of the ReLU that alone follows it. */
function afterRelu(view: GraphView, node: OnnxNode): string {
  const consumers = view.consumers.get(node.output[0]) ?? [];
  return consumers.length === 1 && consumers[0].opType === 'Relu' ? consumers[0].output[0] : node.output[0];
}

/**
 * The activations that are quantised: every conv's input and (ReLU'd) output, and the (ReLU'd)
 * output of every Add whose inputs are both quantised — the sums of a conv over channel parts and
 * the residual sums — so that ONNX Runtime runs those as QLinearAdd instead of dequantising,
 * adding in float32 and quantising again.
 */
function quantisedActivations(view: GraphView, sites: ConvSite[]): Set<string> {
  const names = new Set<string>();
  for (const s of sites) {
    names.add(s.input);
    names.add(s.output);
  }
  for (let changed = true; changed;) {
    changed = false;
    for (const n of view.model.graph.node) {
      if (n.opType !== 'Add' || n.input.length !== 2 || !n.input.every((i) => names.has(i))) continue;
      const out = afterRelu(view, n);
      if (!names.has(out)) {
        names.add(out);
        changed = true;
      }
    }
  }
  return names;
}

/** The activations whose ranges static quantisation needs. */
export function tensorsToCalibrate(model: OnnxModel): string[] {
  const view = new GraphView(model);
  return [...quantisedActivations(view, convSites(view))];
}

/**
 * Asymmetric uint8 scale and zero point of a range (widened to hold 0, which must be exact).
 * Activations are uint8 and weights int8 (U8S8): the combination ONNX Runtime's x86 kernels fuse
 * into integer convolutions on every AVX2 host; int8 activations fuse only where it judges S8S8
 * fast (VNNI), and elsewhere leave a float conv between dequantised tensors.
 */
export function activationParams([min, max]: [number, number]): { scale: number; zeroPoint: number } {
  const lo = Math.min(0, min);
  const hi = Math.max(0, max);
  const scale = hi > lo ? (hi - lo) / 255 : 1;
  const zeroPoint = Math.max(0, Math.min(255, Math.round(-lo / scale)));
  return { scale: Math.fround(scale), zeroPoint };
}

function tensor(name: string, dims: number[], dataType: number, data: ArrayBufferView): OnnxTensor {
  return { name, dims, dataType, rawData: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
}

/**
 * Static 8-bit quantisation in QDQ form (ONNX QuantizeLinear/DequantizeLinear pairs, which ONNX
 * Runtime fuses into integer convolutions on the hosts that have them): every Conv reads a
 * quantised activation and per-output-channel symmetric int8 weights with an int32 bias, and its
 * output (after the ReLU that follows it, which ONNX Runtime drops when the zero point makes it
 * redundant) is quantised again. Everything else — the non-local block's MatMuls and softmax,
 * channel attention, pooling, the classifier — stays float32. Activation ranges come from
 * calibration frames (`ranges`); a conv tensor without one is an error, not a guess.
 */
export function quantizeGraph(model: OnnxModel, ranges: ActivationRanges): OnnxModel {
  const view = new GraphView(model);
  const sites = convSites(view);
  const activations = new Map<string, { scale: number; zeroPoint: number }>();
  for (const name of quantisedActivations(view, sites)) {
    const r = ranges.get(name);
    if (!r || !Number.isFinite(r[0]) || !Number.isFinite(r[1]))
      throw new Error(`no calibrated range for activation "${name}"`);
    activations.set(name, activationParams(r));
  }

  const initializers: OnnxTensor[] = [];
  const weightNodes: OnnxNode[] = [];
  const dq = (input: string, scale: string, zero: string, output: string, axis?: number): OnnxNode => ({
    input: [input, scale, zero],
    output: [output],
    name: `${output}#dq`,
    opType: 'DequantizeLinear',
    attribute: axis === undefined ? [] : [{ name: 'axis', type: 2, i: axis }],
  });

  // Weights and biases: int8 per output channel, int32 bias at scale x·w, each behind a DequantizeLinear.
  const convInputs = new Map<OnnxNode, string[]>();
  for (const s of sites) {
    const w = view.constantFloat(s.node.input[1]);
    if (!w) throw new Error(`conv ${s.node.name}: its weight is not a constant`);
    const key = `q.${w.key}`;
    const cout = w.tensor.dims[0];
    const per = w.tensor.data.length / cout;
    const wScale = new Float32Array(cout);
    const wq = new Int8Array(w.tensor.data.length);
    for (let c = 0; c < cout; c++) {
      let m = 0;
      for (let i = 0; i < per; i++) m = Math.max(m, Math.abs(w.tensor.data[c * per + i]));
      wScale[c] = m > 0 ? m / 127 : 1;
      for (let i = 0; i < per; i++)
        wq[c * per + i] = Math.max(-127, Math.min(127, Math.round(w.tensor.data[c * per + i] / wScale[c])));
    }
    initializers.push(
      tensor(`${key}.w`, w.tensor.dims, INT8, wq),
      tensor(`${key}.w_scale`, [cout], FLOAT, wScale),
      tensor(`${key}.w_zero`, [cout], INT8, new Int8Array(cout)),
    );
    weightNodes.push(dq(`${key}.w`, `${key}.w_scale`, `${key}.w_zero`, `${key}.w_dq`, 0));
    const inputs = [s.node.input[0], `${key}.w_dq`];
    if (s.node.input[2]) {
      const b = view.constantFloat(s.node.input[2]);
      if (!b) throw new Error(`conv ${s.node.name}: its bias is not a constant`);
      const xScale = activations.get(s.input)!.scale;
      const bScale = Float32Array.from(wScale, (ws) => xScale * ws);
      const bq = Int32Array.from(b.tensor.data, (v, c) => Math.round(v / bScale[c]));
      const bKey = `${key}.b.${s.input}`;
      initializers.push(
        tensor(`${bKey}`, [cout], INT32, bq),
        tensor(`${bKey}_scale`, [cout], FLOAT, bScale),
        tensor(`${bKey}_zero`, [cout], INT32, new Int32Array(cout)),
      );
      weightNodes.push(dq(bKey, `${bKey}_scale`, `${bKey}_zero`, `${bKey}_dq`, 0));
      inputs.push(`${bKey}_dq`);
    }
    convInputs.set(s.node, inputs);
  }

  // Activations: a QuantizeLinear/DequantizeLinear pair right after the producer; consumers read the DQ.
  let k = 0;
  const pairFor = new Map<string, { nodes: OnnxNode[]; dq: string }>();
  for (const [name, p] of activations) {
    const id = k++;
    const scale = `q.act${id}.scale`;
    const zero = `q.act${id}.zero`;
    initializers.push(
      tensor(scale, [], FLOAT, Float32Array.of(p.scale)),
      tensor(zero, [], UINT8, Uint8Array.of(p.zeroPoint)),
    );
    const q = `${name}.q${id}`;
    const out = `${name}.dq${id}`;
    pairFor.set(name, {
      dq: out,
      nodes: [
        { input: [name, scale, zero], output: [q], name: `${q}#q`, opType: 'QuantizeLinear', attribute: [] },
        dq(q, scale, zero, out),
      ],
    });
  }
  const rewire = (n: OnnxNode): OnnxNode => {
    const base = convInputs.get(n) ?? n.input;
    return { ...n, input: base.map((i) => pairFor.get(i)?.dq ?? i) };
  };
  const nodes: OnnxNode[] = [...weightNodes];
  const graphInputs = new Set(model.graph.input.map((i) => i.name));
  for (const [name, pair] of pairFor) if (graphInputs.has(name)) nodes.push(...pair.nodes);
  for (const n of model.graph.node) {
    nodes.push(rewire(n));
    for (const o of n.output) {
      const pair = pairFor.get(o);
      if (pair) nodes.push(...pair.nodes);
    }
  }
  // Graph outputs that were quantised activations keep their float value.
  const outputs = new Set(model.graph.output.map((o) => o.name));
  for (const name of pairFor.keys())
    if (outputs.has(name)) throw new Error(`activation "${name}" is a graph output; cannot quantise it`);

  return pruneDead({
    ...model,
    graph: { ...model.graph, node: nodes, initializer: [...model.graph.initializer, ...initializers] },
  });
}

/** Drops nodes and initializers that no graph output depends on (the float weights and their slices). */
export function pruneDead(model: OnnxModel): OnnxModel {
  const needed = new Set<string>(model.graph.output.map((o) => o.name));
  const keep = new Set<OnnxNode>();
  for (let i = model.graph.node.length - 1; i >= 0; i--) {
    const n = model.graph.node[i];
    if (!n.output.some((o) => needed.has(o))) continue;
    keep.add(n);
    for (const input of n.input) if (input) needed.add(input);
  }
  return {
    ...model,
    graph: {
      ...model.graph,
      node: model.graph.node.filter((n) => keep.has(n)),
      initializer: model.graph.initializer.filter((t) => needed.has(t.name)),
      valueInfo: (model.graph.valueInfo ?? []).filter((v) => needed.has(v.name)),
    },
  };
}
