// `ff sweep`: presets × seeds × option values as independent runs for a cluster — a Slurm job
// array and a Kubernetes Indexed Job over one tasks.sh — instead of one run after another here.
// Each task is `ff train` into DIR/<name> (resumed when run again); `ff gather DIR` tables them
// (any time, also while they run) and `ff report` draws them.
import path from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import type { JobArray } from '../experiments/job-array.js';
import { parseSetOption, planSweep } from '../experiments/sweep-plan.js';
import { PRESETS } from '../experiments/presets.js';
import { parseDatasetName } from '../data/registry.js';
import { parseGrid } from '../train/grid-maps.js';
import { refuseControlCharacters } from '../util/control-characters.js';
import { addClusterOptions, arrayDir, clusterOptions, jobPath, parseEmitKind, submitHelp, writeJobFiles, type ClusterCliOptions, type EmitKind } from './job-files.js';

interface SweepOptions extends ClusterCliOptions {
  preset: string;
  seeds?: number[];
  set: string[];
  fix: string[];
  oneAtATime: boolean;
  algo?: string;
  out: string;
  emit: EmitKind;
  dataDir?: string;
}

function parseSeeds(raw: string): number[] {
  const parts = raw.split(',').map((s) => s.trim());
  if (!parts.every((s) => /^\d+$/.test(s))) throw new InvalidArgumentError('must be a comma-separated list of non-negative integers');
  return parts.map(Number);
}

export function registerSweepCommand(program: Command): void {
  const cmd = program
    .command('sweep')
    .description('write a Slurm job array and a Kubernetes Indexed Job that train presets × seeds × option values, one run each')
    .requiredOption('--preset <names>', `comma-separated presets (${Object.keys(PRESETS).slice(0, 6).join(', ')}, …)`)
    .option('--seeds <list>', 'comma-separated seeds (default: the preset’s seed)', parseSeeds)
    .option('--set <name=values>', 'an option and the values to try, e.g. --set lr=0.01,0.03 (repeatable)', (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option('--fix <name=value>', 'an option set in every run, e.g. --fix eval-every=3 (repeatable)', (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option('--one-at-a-time', 'the preset itself, then each --set value alone (an ablation), instead of every combination', false)
    .option('--algo <name>', 'ff or bp for every run (default: each preset’s)')
    .requiredOption('--out <dir>', 'directory for the files and the runs (shared storage on a cluster)')
    .option('--emit <kind>', 'slurm, k8s or all', parseEmitKind, 'all' as EmitKind)
    .option('--data-dir <dir>', 'where dataset files are on the cluster (default: each task’s own)');
  addClusterOptions(cmd).action((o: SweepOptions) => {
    const array = sweepArray(o);
    writeJobFiles(array, o.emit, clusterOptions(o));
    for (const line of submitHelp(array, o.emit)) process.stdout.write(`${line}\n`);
  });
}

/*
 * Free-text options are checked here too: planSweep checks each value as `ff train` would parse
 * it, and these two are read only when a task starts (after the queue wait, on the cluster).
 */
const FREE_TEXT_CHECKS = new Map<string, (value: string) => unknown>([['grid', parseGrid], ['dataset', parseDatasetName]]);

/** --set / --fix NAME=VALUES, every value checked now; refused in one line when it holds a line break. */
function parseSweepOption(flag: string, raw: string): [string, string[]] {
  const [key, values] = parseSetOption(refuseControlCharacters(flag, raw));
  for (const v of values) FREE_TEXT_CHECKS.get(key)?.(v);
  return [key, values];
}

export function sweepArray(o: Pick<SweepOptions, 'preset' | 'seeds' | 'set' | 'algo' | 'out' | 'dataDir'> & Partial<Pick<SweepOptions, 'fix' | 'oneAtATime'>>): JobArray {
  // Each value reaches the job files (names, comments, shell words, #SBATCH, YAML): all checked before any is written.
  const dir = arrayDir(o.out);
  const dataDir = o.dataDir ? jobPath('--data-dir', o.dataDir) : undefined;
  const presets = refuseControlCharacters('--preset', o.preset).split(',').map((s) => s.trim());
  if (o.algo !== undefined) refuseControlCharacters('--algo', o.algo);
  const sets = o.set.map((raw) => parseSweepOption('--set', raw));
  const fixed = (o.fix ?? []).map((raw): [string, string] => {
    const [k, values] = parseSweepOption('--fix', raw);
    if (values.length !== 1) throw new Error(`--fix wants NAME=VALUE (one value), got '${raw}'`);
    return [k, values[0]];
  });
  const vary = o.oneAtATime ? 'one' : 'all';
  const tasks = planSweep({ presets, seeds: o.seeds ?? [], sets, fixed, vary, algo: o.algo }, dir);
  const values = sets.map(([k, v]) => `${k} ∈ {${v.join(', ')}}`);
  const what = [
    presets.join(', '),
    ...(o.seeds ? [`seeds ${o.seeds.join(', ')}`] : []),
    ...(vary === 'one' && values.length ? [`(as is, or one of: ${values.join('; ')})`] : values),
    ...fixed.map(([k, v]) => `${k} = ${v}`),
  ];
  return {
    title: `ff sweep: ${what.join(' × ')}`,
    dir,
    tasks,
    gather: [['ff', 'gather', dir], ['ff', 'report', ...tasks.map((t) => t.dir), '--out', path.join(dir, 'report.html')]],
    commonArgs: dataDir ? ['--data-dir', dataDir] : [],
  };
}
