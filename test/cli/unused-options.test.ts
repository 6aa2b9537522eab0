// Options that would do nothing in the run they are given for are refused in one line with a
// non-zero exit, before the run directory is made (experiments/unused-options.ts): before,
// `--sleep-cycles` on MNIST and `--jitter` or `--label-input pixels` on the fables were
// accepted silently. The same rule holds for ff sweep's plan (checked on the laptop).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { planSweep } from '../../src/experiments/sweep-plan.js';
import { unusedOptionProblem } from '../../src/experiments/unused-options.js';
import { oneLine } from '../helpers/one-line-error.js';

const root = mkdtempSync(path.join(tmpdir(), 'ff-unused-'));
after(() => rmSync(root, { recursive: true, force: true }));

for (const [args, message] of [
  [['--preset', 'quick', '--sleep-cycles', '2'], /^ff: --sleep-cycles sets the wake\/sleep cycles of --negatives self-generated; this run's negatives are 'hard' and nothing sleeps$/],
  [['--preset', 'unsupervised-quick', '--sleep-cycles', '2'], /^ff: --sleep-cycles .* this run's negatives are hybrid images and nothing sleeps$/],
  [['--preset', 'aesop-quick', '--jitter', '1'], /^ff: --jitter shifts images; aesop's inputs are windows of text, which a shift would scramble \(leave --jitter out\)$/],
  [['--preset', 'aesop-quick', '--label-input', 'pixels'], /^ff: --label-input pixels would overwrite the first symbols of aesop's text windows with the label \(use extra or auto\)$/],
  [['--preset', 'quick', '--text-split', 'book'], /^ff: --text-split chooses which strings of a text train \(aesop\); mnist is not a text \(leave --text-split out\)$/],
] as const) {
  test(`ff train ${args.join(' ')}: refused in one line, nothing created`, { timeout: 90_000 }, () => {
    const out = path.join(root, args.join('_'));
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'train', ...args, '--out', out], { encoding: 'utf8', timeout: 60_000 });
    assert.notEqual(r.status, 0, `status ${r.status} (signal ${r.signal})`);
    assert.equal(r.stdout, '');
    assert.match(r.stderr.trimEnd(), message);
    assert.equal(r.stderr.trimEnd().split('\n').length, 1, r.stderr);
    assert.ok(!existsSync(out), 'no run directory');
  });
}

test('options that matter in context are accepted', () => {
  const flag = (k: string) => `--${k}`;
  const aesop = { dataset: 'aesop', negatives: 'teacher-forced', negativeData: 'wrong-label', jitter: 0, labelInput: 'extra' };
  assert.equal(unusedOptionProblem(['sleepCycles'], { ...aesop, negatives: 'self-generated' }, flag), undefined);
  assert.equal(unusedOptionProblem(['jitter'], aesop, flag), undefined, '--jitter 0 is no shift');
  assert.equal(unusedOptionProblem(['labelInput'], aesop, flag), undefined);
  const mnist = { dataset: 'mnist', negatives: 'hard', negativeData: 'wrong-label', jitter: 2, labelInput: 'pixels' };
  assert.equal(unusedOptionProblem(['jitter', 'labelInput'], mnist, flag), undefined);
  // A preset's own values are not the user's choice: only the given keys are judged.
  assert.equal(unusedOptionProblem([], { ...aesop, jitter: 2, labelInput: 'pixels' }, flag), undefined);
});

test('ff sweep plans refuse the same options', () => {
  assert.throws(
    () => planSweep({ presets: ['quick'], seeds: [], sets: [['sleepCycles', ['1', '2']]] }, path.join(root, 'sweep')),
    (e) => oneLine(e, /^sweep: quick: --sleep-cycles sets the wake\/sleep cycles of --negatives self-generated/),
  );
});
