// The layer objectives (src/ff/objectives/): each one's gradient at the total input equals the
// central finite differences of the loss it reports, on random positive activations, for every
// goodness variant and row layout it accepts; the ReLU gate zeroes the gradient of inactive
// units; pair errors count the pairs whose negative looks more positive; the registry refuses
// an unknown name in one line.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Mat } from '../../src/engine/engine.js';
import { JsEngine } from '../../src/engine/js-backend.js';
import { Rng } from '../../src/engine/rng.js';
import { cpuTally } from '../../src/engine/js-step-kernels.js';
import type { Objective, ObjectiveLayer, ObjectiveRows, ObjectiveSettings } from '../../src/ff/objectives/objective.js';
import { negativeUse, OBJECTIVE_NAMES, objectiveFor } from '../../src/ff/objectives/registry.js';

const engine = new JsEngine();
const WIDTH = 6;

const BASE: ObjectiveSettings = {
  loss: 'logistic',
  goodness: 'max-ssq',
  goodnessPower: 2,
  goodnessReduce: 'sum',
  temperature: 1,
  symbaAlpha: 4,
  // The exact dG/dy, so that the gradient is the loss's derivative (ffnew.m drops the 2).
  exactGradient: true,
};

function layerOf(threshold: number): ObjectiveLayer {
  const mats = new Map<string, Mat>();
  return {
    engine,
    width: WIDTH,
    threshold,
    channels: WIDTH,
    numClasses: 10,
    scratch(name, rows, cols) {
      const key = `${name}:${rows}x${cols}`;
      if (!mats.has(key)) mats.set(key, engine.zeros(rows, cols));
      return mats.get(key)!;
    },
  };
}

/** The raw goodness of each row of y (Σ y² or Σ y), as the pass leaves it: float32. */
/** An objective's gradient with a fresh tally, read in place (the js engine's is a Float64Array). */
function gradientOf(objective: Objective, y: Mat, g: Float32Array, rows: ObjectiveRows): { dz: Mat; loss: number; pairErrors: number } {
  const tally = engine.tally(2);
  const dz = objective.gradient(y, engine.fromArray(g, g.length, 1), rows, { tally, at: 0 });
  const [loss, pairErrors] = cpuTally(tally).sums;
  return { dz, loss, pairErrors };
}

function rawGoodness(y: Float64Array, rows: number, power: 1 | 2): Float32Array {
  const g = new Float32Array(rows);
  for (let i = 0; i < rows; i++) {
    let s = 0;
    for (let j = 0; j < WIDTH; j++) s += power === 2 ? y[i * WIDTH + j] ** 2 : y[i * WIDTH + j];
    g[i] = s;
  }
  return g;
}

const variants: Partial<ObjectiveSettings>[] = [
  {},
  { goodness: 'min-ssq' },
  { goodnessPower: 1 },
  { goodnessReduce: 'mean', temperature: 0.5 },
  { goodness: 'min-ssq', goodnessPower: 1, goodnessReduce: 'mean', temperature: 2 },
  { symbaAlpha: 0.5 },
];

// The objectives on one goodness per row (cwc scores class groups: channel-groups-gradient.test.ts).
const ROW_OBJECTIVES = OBJECTIVE_NAMES.filter((name) => negativeUse(name) !== 'none');

const layouts: Record<string, ObjectiveRows[]> = {
  // Per case: any counts, one kind alone included (a sleep phase).
  logistic: [{ positives: 3, negatives: 3 }, { positives: 4, negatives: 2 }, { positives: 0, negatives: 3 }, { positives: 3, negatives: 0 }],
  symba: [{ positives: 3, negatives: 3 }],
};

for (const loss of ROW_OBJECTIVES) {
  for (const v of variants) {
    for (const rows of layouts[loss]) {
      test(`${loss} objective: gradient = ∂loss/∂z by finite differences (${JSON.stringify(v)}, ${rows.positives}+${rows.negatives} rows)`, async () => {
        const settings: ObjectiveSettings = { ...BASE, ...v, loss };
        // θ near the rows' goodness, so that both kinds of row have a sizeable gradient.
        const threshold = settings.goodnessReduce === 'mean' ? (settings.goodnessPower === 2 ? 1.1 : 0.9) : settings.goodnessPower === 2 ? 6.5 : 5.5;
        const objective = objectiveFor(settings, layerOf(threshold));
        const count = rows.positives + rows.negatives;
        const rng = new Rng(7 + count);
        // Positive activities (0.3 … 1.5): the ReLU is on and stays on under the perturbations.
        const y = Float64Array.from({ length: count * WIDTH }, () => 0.3 + 1.2 * rng.uniform());
        const at = (act: Float64Array) => gradientOf(objective, engine.fromArray(Float32Array.from(act), count, WIDTH), rawGoodness(act, count, settings.goodnessPower), rows);
        const lossAt = (act: Float64Array): number => at(act).loss;
        const here = at(y);
        const dz = await engine.read(here.dz);
        assert.equal(here.loss, lossAt(y), 'the loss reported with the gradient');
        let largest = 0;
        for (let k = 0; k < y.length; k++) {
          // Five-point central differences: truncation O(h⁴), so h can stay well above float32's steps.
          const h = 1e-2;
          const keep = y[k];
          const moved = (d: number) => {
            y[k] = keep + d;
            return lossAt(y);
          };
          const fd = (8 * (moved(h) - moved(-h)) - (moved(2 * h) - moved(-2 * h))) / (12 * h);
          y[k] = keep;
          largest = Math.max(largest, Math.abs(fd));
          const tol = 5e-4 * Math.max(1, Math.abs(fd));
          assert.ok(Math.abs(fd - dz[k]) <= tol, `row ${Math.floor(k / WIDTH)} unit ${k % WIDTH}: finite difference ${fd} vs gradient ${dz[k]}`);
        }
        assert.ok(largest > 1e-3, `the loss moves with the activities (largest derivative ${largest})`);
      });
    }
  }
}

test('an inactive unit (y = 0) gets no gradient from either objective, for Σ y² and Σ y', async () => {
  for (const loss of ROW_OBJECTIVES) {
    for (const goodnessPower of [1, 2] as const) {
      const objective = objectiveFor({ ...BASE, loss, goodnessPower }, layerOf(3));
      const y = Float32Array.from({ length: 2 * WIDTH }, (_, k) => (k % 3 === 0 ? 0 : 0.5 + k / 10));
      const rows = { positives: 1, negatives: 1 };
      const dz = await engine.read(gradientOf(objective, engine.fromArray(y, 2, WIDTH), rawGoodness(Float64Array.from(y), 2, goodnessPower), rows).dz);
      y.forEach((v, k) => {
        if (v === 0) assert.ok(dz[k] === 0, `${loss}, power ${goodnessPower}: unit ${k} has ${dz[k]}`);
        else assert.notEqual(dz[k], 0, `${loss}, power ${goodnessPower}: unit ${k}`);
      });
    }
  }
});

test('pair errors: the pairs whose negative row looks more positive (max-ssq: higher goodness; min-ssq: lower)', () => {
  // Raw goodness of 3 positive rows then 3 negative rows: pair 2 is the wrong way round.
  const g = Float32Array.of(9, 8, 2, 3, 1, 7);
  const rows = { positives: 3, negatives: 3 };
  const y = engine.zeros(6, WIDTH);
  for (const loss of ROW_OBJECTIVES) {
    for (const [goodness, errors] of [['max-ssq', 1], ['min-ssq', 2]] as const) {
      const { pairErrors } = gradientOf(objectiveFor({ ...BASE, loss, goodness }, layerOf(5)), y, g, rows);
      assert.equal(pairErrors, errors, `${loss} ${goodness}`);
    }
  }
  // Unequal counts make no pairs: the logistic objective counts none.
  assert.equal(gradientOf(objectiveFor(BASE, layerOf(5)), engine.zeros(5, WIDTH), g.slice(0, 5), { positives: 3, negatives: 2 }).pairErrors, 0);
});

test('SymBa refuses unpaired rows in one line; the registry says which objectives need pairs', () => {
  const symba = objectiveFor({ ...BASE, loss: 'symba' }, layerOf(5));
  assert.throws(() => gradientOf(symba, engine.zeros(5, WIDTH), new Float32Array(5), { positives: 3, negatives: 2 }), (err: Error) => {
    assert.match(err.message, /^--loss symba needs as many positive as negative rows \(got 3 positive, 2 negative\): its loss is on pairs$/);
    return true;
  });
  assert.equal(negativeUse('symba'), 'paired');
  assert.equal(negativeUse('logistic'), 'per-case');
});

test('the registry refuses an unknown objective in one line, inherited names included', () => {
  assert.deepEqual(OBJECTIVE_NAMES, ['logistic', 'symba', 'cwc']);
  assert.equal(negativeUse('cwc'), 'none');
  for (const name of ['hinge', 'toString', '__proto__', '']) {
    const refused = (err: Error) => {
      assert.equal(err.message, `unknown layer objective '${name}' (--loss is one of logistic, symba, cwc)`);
      assert.ok(!err.message.includes('\n'));
      return true;
    };
    assert.throws(() => objectiveFor({ ...BASE, loss: name as ObjectiveSettings['loss'] }, layerOf(5)), refused);
    assert.throws(() => negativeUse(name), refused);
  }
});
