#!/usr/bin/env node
// npm run train:demo: reproduces models/demo/ (the demo's trained AMSNet) from its seeds.
const { join } = require('node:path');
const { execFileSync } = require('node:child_process');

const root = join(__dirname, '..');
execFileSync(process.execPath, [join(__dirname, 'build-if-needed.js')], { stdio: 'inherit' });
const { trainDemoModel } = require(join(root, 'dist', 'src', 'demo', 'train-demo-model.js'));
const started = Date.now();
trainDemoModel(
  root,
  (line) => console.log(line),
  (e) => {
    if (e.event === 'start') console.log(`training: ${e.train} train / ${e.val} validation embryos on ${e.device}`);
    if (e.event === 'epoch')
      console.log(
        `epoch ${e.epoch}/${e.epochs}: train loss ${e.trainLoss.toFixed(4)}, val loss ${e.valLoss.toFixed(4)}, accuracy AUC ${e.metrics.accuracyAuc?.toFixed(3)}, ROC AUC ${e.metrics.roc.map((r) => `d${r.day} ${r.auc?.toFixed(3)}`).join(' ')} (${Math.round(e.seconds)} s)`,
      );
  },
).then(
  () => console.log(`done in ${Math.round((Date.now() - started) / 1000)} s`),
  (error) => {
    console.error(`train:demo: ${error.message}`);
    process.exit(1);
  },
);
