// `ff compare --emit slurm|k8s|all`: the comparison's runs (FF and BP on a preset, or the six
// nets of the CIFAR-10 table) as a job array instead of one after another here. Each task is
// `ff train` into the very directory `ff compare` uses for that run, with the same config, so
// running the same `ff compare` afterwards finds every run finished and only builds the table.
import path from 'node:path';
import type { JobArray, JobTask } from '../experiments/job-array.js';
import { getPreset, PRESETS } from '../experiments/presets.js';
import { refuseControlCharacters } from '../util/control-characters.js';
import { CIFAR_SUITES, cifarSuiteEntries, isCifarSuite } from './compare-cifar.js';
import { CONV_SUITES, convSuiteEntries, isConvSuite } from './compare-conv.js';
import { arrayDir, jobPath } from './job-files.js';

export interface CompareEmitOptions {
  preset: string;
  epochs?: number;
  out?: string;
  dataDir?: string;
}

export function compareArray(o: CompareEmitOptions): JobArray {
  // Every value reaching the job files is checked before the directory is claimed.
  refuseControlCharacters('--preset', o.preset);
  const dir = arrayDir(o.out ?? path.join('runs', `compare-${o.preset}`));
  const epochs = o.epochs !== undefined ? ['--epochs', String(o.epochs)] : [];
  let tasks: JobTask[];
  if (isCifarSuite(o.preset)) {
    tasks = cifarSuiteEntries(o.preset, o.epochs).map((e) => ({
      name: e.key,
      dir: path.join(dir, e.key),
      trainArgs: ['--preset', String(e.config.preset), '--algo', e.algo, ...(e.algo === 'ff' ? ['--goodness', String(e.config.goodness)] : []), ...epochs],
    }));
  } else if (isConvSuite(o.preset)) {
    tasks = convSuiteEntries(o.preset, o.epochs).map((e) => ({ name: e.key, dir: path.join(dir, e.key), trainArgs: ['--preset', String(e.config.preset), '--algo', e.algo, ...epochs] }));
  } else {
    if (!(o.preset in PRESETS)) throw new Error(`unknown preset '${o.preset}' (choose ${[...Object.keys(PRESETS), ...CIFAR_SUITES, ...CONV_SUITES].join(', ')})`);
    if (getPreset(o.preset).ff.negativeData === 'hybrid') {
      throw new Error(`compare: preset '${o.preset}' trains without labels (its classifiers are probes, not goodness/softmax); compare a supervised preset`);
    }
    tasks = (['ff', 'bp'] as const).map((algo) => ({ name: algo, dir: path.join(dir, algo), trainArgs: ['--preset', o.preset, '--algo', algo, ...epochs] }));
  }
  const dataDir = o.dataDir ? ['--data-dir', jobPath('--data-dir', o.dataDir)] : [];
  return {
    title: `ff compare --preset ${o.preset}${o.epochs !== undefined ? ` --epochs ${o.epochs}` : ''}`,
    dir,
    tasks,
    gather: [['ff', 'compare', '--preset', o.preset, ...epochs, '--out', dir, ...dataDir, '--no-progress'], ['ff', 'report', dir, '--out', path.join(dir, 'report.html')]],
    commonArgs: dataDir,
  };
}
