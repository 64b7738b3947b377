import type { FloatTensor } from '../onnx/graph-builder';
import type { AmsnetConfig } from './config';
import { foldedBiasKey } from './layers';
import { paramSpecs } from './param-spec';
import type { StateDict } from './weights';

const BN_EPS = 1e-5;

/** Every (conv, BN) pair of the network, by state-dict prefix. */
export function convBnPairs(config: AmsnetConfig): { convKey: string; bnKey: string }[] {
  const keys = new Set(paramSpecs(config).map((s) => s.key));
  const pairs: { convKey: string; bnKey: string }[] = [];
  for (const key of keys) {
    if (!key.endsWith('.weight')) continue;
    const base = key.slice(0, -'.weight'.length);
    let bnKey: string | null = null;
    if (base === 'conv1') bnKey = 'bn1';
    else if (/\.conv[123]$/.test(base)) bnKey = base.replace(/conv([123])$/, 'bn$1');
    else if (base.endsWith('.downsample.0')) bnKey = base.replace(/0$/, '1');
    else if (base === 'mfs.reduce.0') bnKey = 'mfs.reduce.1';
    else if (base === 'mfs.nonlocal.W.0') bnKey = 'mfs.nonlocal.W.1';
    if (bnKey && keys.has(`${bnKey}.running_var`)) pairs.push({ convKey: key, bnKey });
  }
  return pairs;
}

/**
 * W' = W·γ/√(σ²+ε) per output channel, b' = (b − μ)·γ/√(σ²+ε) + β. Computed in float64 so the
 * folded graph stays within 1e-4 of the unfolded one.
 */
export function foldBatchNorm(config: AmsnetConfig, sd: StateDict): Map<string, FloatTensor> {
  const out = new Map<string, FloatTensor>();
  const bnKeys = new Set<string>();
  for (const { convKey, bnKey } of convBnPairs(config)) {
    const w = sd.get(convKey)!;
    const gamma = sd.get(`${bnKey}.weight`)!.data;
    const beta = sd.get(`${bnKey}.bias`)!.data;
    const mean = sd.get(`${bnKey}.running_mean`)!.data;
    const variance = sd.get(`${bnKey}.running_var`)!.data;
    const convBias = sd.get(foldedBiasKey(convKey))?.data;
    const outChannels = w.dims[0];
    const per = w.data.length / outChannels;
    const weight = new Float32Array(w.data.length);
    const bias = new Float32Array(outChannels);
    for (let o = 0; o < outChannels; o++) {
      const scale = gamma[o] / Math.sqrt(variance[o] + BN_EPS);
      for (let i = 0; i < per; i++) weight[o * per + i] = w.data[o * per + i] * scale;
      bias[o] = ((convBias ? convBias[o] : 0) - mean[o]) * scale + beta[o];
    }
    out.set(convKey, { dims: w.dims, data: weight });
    out.set(foldedBiasKey(convKey), { dims: [outChannels], data: bias });
    bnKeys.add(bnKey);
  }
  for (const [key, t] of sd) {
    if (out.has(key)) continue;
    const owner = key.slice(0, key.lastIndexOf('.'));
    if (!bnKeys.has(owner)) out.set(key, t);
  }
  return out;
}
