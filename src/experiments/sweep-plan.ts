// A sweep: presets × seeds × option values, one training run per combination — or, one at a
// time, the preset and each value of each option alone (an ablation). Planned and
// checked here (every option value parsed now, so a typo fails on the laptop, not on the
// cluster after the queue wait); run by a cluster's scheduler through job-array.ts.
import path from 'node:path';
import { kebab, applyOptions } from '../train/options.js';
import { algorithmNames, getAlgorithm } from './algorithms.js';
import { getPreset } from './presets.js';
import { unusedOptionProblem } from './unused-options.js';
import type { JobTask } from './job-array.js';

export interface SweepSpec {
  presets: string[];
  /** Seeds; empty = the preset's own. */
  seeds: number[];
  /** camelCase option → the values to try (as typed). */
  sets: [string, string[]][];
  /** 'all': every combination of the values; 'one': the preset itself, then each value of each option alone. */
  vary?: 'all' | 'one';
  /** camelCase option → one value, set in every run (and not in the names). */
  fixed?: [string, string][];
  /** --algo for every run (default: each preset's). */
  algo?: string;
}

/** "lr=0.01,0.03" → ['lr', ['0.01', '0.03']]; keys as flags (label-strength) or camelCase. */
export function parseSetOption(raw: string): [string, string[]] {
  const eq = raw.indexOf('=');
  if (eq <= 0 || eq === raw.length - 1) throw new Error(`--set wants NAME=V1,V2,…, got '${raw}'`);
  const key = raw.slice(0, eq).replace(/^--/, '').replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
  const values = raw.slice(eq + 1).split(',').map((v) => v.trim());
  if (values.some((v) => v === '')) throw new Error(`--set ${raw}: an empty value`);
  return [key, values];
}

/** Every combination as a task in `dir`/<name>, its options checked against its algorithm. */
export function planSweep(spec: SweepSpec, dir: string): JobTask[] {
  if (!spec.presets.length) throw new Error('sweep: give at least one preset');
  const keys = new Set<string>();
  for (const [k] of [...spec.sets, ...(spec.fixed ?? [])]) {
    if (k === 'seed') throw new Error('sweep: give seeds with --seeds, not --set seed=…');
    if (keys.has(k)) throw new Error(`sweep: --set ${kebab(k)} given twice`);
    keys.add(k);
  }
  let combos: [string, string][][] = [[]];
  if (spec.vary === 'one') combos = [[], ...spec.sets.flatMap(([k, values]) => values.map((v) => [[k, v] as [string, string]]))];
  else for (const [k, values] of spec.sets) combos = combos.flatMap((c) => values.map((v) => [...c, [k, v] as [string, string]]));
  const seeds: (number | undefined)[] = spec.seeds.length ? spec.seeds : [undefined];
  const tasks: JobTask[] = [];
  for (const preset of spec.presets) {
    const algo = spec.algo ?? getPreset(preset).algo ?? 'ff';
    if (!algorithmNames().includes(algo)) throw new Error(`unknown --algo '${algo}' (choose ${algorithmNames().join(', ')})`);
    const a = getAlgorithm(algo);
    for (const seed of seeds) {
      for (const combo of combos) {
        const overrides: Record<string, string> = Object.fromEntries([...(spec.fixed ?? []), ...combo]);
        if (seed !== undefined) overrides.seed = String(seed);
        const config = applyOptions(a.presetConfig(preset), overrides, a.specs); // one-line error on a bad value
        const unused = unusedOptionProblem(Object.keys(overrides), config, (k) => `--${kebab(k)}`);
        if (unused) throw new Error(`sweep: ${preset}: ${unused}`);
        const name = [preset, ...(seed !== undefined ? [`s${seed}`] : []), ...combo.map(([k, v]) => `${kebab(k)}${v}`)]
          .join('-')
          .replace(/[^A-Za-z0-9_.-]/g, '_');
        const trainArgs = ['--preset', preset, ...(spec.algo ? ['--algo', algo] : []), ...Object.entries(overrides).flatMap(([k, v]) => [`--${kebab(k)}`, v])];
        tasks.push({ name, dir: path.join(dir, name), trainArgs });
      }
    }
  }
  const seen = new Set<string>();
  for (const t of tasks) {
    if (seen.has(t.name)) throw new Error(`sweep: two runs would share the directory ${t.name} (a preset or value given twice?)`);
    seen.add(t.name);
  }
  return tasks;
}
