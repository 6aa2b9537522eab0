import { loadDataset } from '../src/data/registry.js';
import { subset } from '../src/data/dataset.js';
import { getEngine } from '../src/engine/select.js';
import { FFModel } from '../src/ff/ff-model.js';
import { FF_DEFAULTS } from '../src/ff/config.js';
import { train } from '../src/train/trainer.js';
const data = await loadDataset('mnist');
const small = { ...data, train: subset(data.train, 0, Number(process.env.N ?? 5000)), valid: subset(data.valid, 0, 2000) };
const engine = getEngine(process.env.ENG ?? 'js');
const cfg = { ...FF_DEFAULTS, layers: [500, 500, 500], epochs: Number(process.env.E ?? 1), evalSubset: 2000, ...JSON.parse(process.env.CFG ?? '{}') };
const model = new FFModel(engine, cfg, { height: 28, width: 28, channels: 1, numClasses: 10 });
const r = await train(model, small, { onEpochEnd: (m) => console.log(JSON.stringify(m)) });
const t = data.test; const test = subset(t, 0, Number(process.env.NT ?? 10000));
for (const mode of ['softmax','goodness'] as const) { const t0=performance.now(); const p = await model.classify(test.images, test.count, mode); let w=0; for (let i=0;i<test.count;i++) if (p.predictions[i]!==test.labels[i]) w++; console.log(mode, w/test.count, (performance.now()-t0)/1000); }
