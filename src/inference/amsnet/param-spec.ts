import { type AmsnetConfig, stemInputChannels, usesMfs } from './config';

/** A parameter tensor the network needs, with its PyTorch state-dict name and shape. */
export interface ParamSpec {
  key: string;
  dims: number[];
  kind:
    | 'conv'
    | 'bn.weight'
    | 'bn.bias'
    | 'bn.running_mean'
    | 'bn.running_var'
    | 'linear.weight'
    | 'linear.bias'
    | 'conv.bias';
}

export interface BlockSpec {
  prefix: string; // layer{l}.{i}
  inChannels: number;
  width: number;
  outChannels: number;
  stride: number;
  downsample: boolean;
}

/** The bottleneck blocks of layers 1–4 (torchvision ResNet-50 v1.5 layout). */
export function blockSpecs(config: AmsnetConfig): BlockSpec[][] {
  const stages: BlockSpec[][] = [];
  let inChannels = config.width;
  for (let l = 0; l < 4; l++) {
    const width = config.width * 2 ** l;
    const outChannels = width * 4;
    const stage: BlockSpec[] = [];
    for (let i = 0; i < config.blocks[l]; i++) {
      const stride = i === 0 && l > 0 ? 2 : 1;
      stage.push({
        prefix: `layer${l + 1}.${i}`,
        inChannels,
        width,
        outChannels,
        stride,
        downsample: i === 0 && (stride !== 1 || inChannels !== outChannels),
      });
      inChannels = outChannels;
    }
    stages.push(stage);
  }
  return stages;
}

function bn(prefix: string, c: number): ParamSpec[] {
  return [
    { key: `${prefix}.weight`, dims: [c], kind: 'bn.weight' },
    { key: `${prefix}.bias`, dims: [c], kind: 'bn.bias' },
    { key: `${prefix}.running_mean`, dims: [c], kind: 'bn.running_mean' },
    { key: `${prefix}.running_var`, dims: [c], kind: 'bn.running_var' },
  ];
}

/** Every tensor of the §6 weights file for this configuration, in a fixed order. */
export function paramSpecs(config: AmsnetConfig): ParamSpec[] {
  const specs: ParamSpec[] = [
    { key: 'conv1.weight', dims: [config.width, stemInputChannels(config), 7, 7], kind: 'conv' },
    ...bn('bn1', config.width),
  ];
  for (const stage of blockSpecs(config)) {
    for (const b of stage) {
      specs.push(
        { key: `${b.prefix}.conv1.weight`, dims: [b.width, b.inChannels, 1, 1], kind: 'conv' },
        ...bn(`${b.prefix}.bn1`, b.width),
      );
      specs.push(
        { key: `${b.prefix}.conv2.weight`, dims: [b.width, b.width, 3, 3], kind: 'conv' },
        ...bn(`${b.prefix}.bn2`, b.width),
      );
      specs.push(
        { key: `${b.prefix}.conv3.weight`, dims: [b.outChannels, b.width, 1, 1], kind: 'conv' },
        ...bn(`${b.prefix}.bn3`, b.outChannels),
      );
      if (b.downsample)
        specs.push(
          { key: `${b.prefix}.downsample.0.weight`, dims: [b.outChannels, b.inChannels, 1, 1], kind: 'conv' },
          ...bn(`${b.prefix}.downsample.1`, b.outChannels),
        );
    }
  }
  if (usesMfs(config.variant)) {
    const c1 = config.width * 4;
    const fc1 = config.planes.length * c1;
    const hidden = fc1 / 16;
    specs.push(
      { key: 'mfs.attention.mlp.0.weight', dims: [hidden, fc1], kind: 'linear.weight' },
      { key: 'mfs.attention.mlp.0.bias', dims: [hidden], kind: 'linear.bias' },
      { key: 'mfs.attention.mlp.2.weight', dims: [fc1, hidden], kind: 'linear.weight' },
      { key: 'mfs.attention.mlp.2.bias', dims: [fc1], kind: 'linear.bias' },
      { key: 'mfs.reduce.0.weight', dims: [c1, fc1, 1, 1], kind: 'conv' },
      ...bn('mfs.reduce.1', c1),
    );
    if (config.variant === 'amsnet') {
      specs.push(
        { key: 'mfs.nonlocal.g.weight', dims: [c1 / 2, c1, 1, 1], kind: 'conv' },
        { key: 'mfs.nonlocal.g.bias', dims: [c1 / 2], kind: 'conv.bias' },
        { key: 'mfs.nonlocal.W.0.weight', dims: [c1, c1 / 2, 1, 1], kind: 'conv' },
        { key: 'mfs.nonlocal.W.0.bias', dims: [c1], kind: 'conv.bias' },
        ...bn('mfs.nonlocal.W.1', c1),
      );
    }
  }
  specs.push(
    { key: 'fc.weight', dims: [1, config.width * 32], kind: 'linear.weight' },
    { key: 'fc.bias', dims: [1], kind: 'linear.bias' },
  );
  return specs;
}
