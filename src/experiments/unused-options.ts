// Options that do nothing (or only harm) in the run they are given for: refused in one line
// instead of accepted silently, since whoever gave one believes it changed the run. Judged on
// the options the user gave (`ff train` flags, `ff sweep --set`, createFF fields), never on a
// preset's own values, and before any data is loaded: the config names the dataset.
import { AESOP_NAME } from '../data/aesop.js';

/** Datasets whose inputs are one-hot windows of text, not images. */
const TEXT_DATASETS: readonly string[] = [AESOP_NAME];

/**
 * Why an option in `given` (camelCase keys) has no effect in `config`, in one line, or
 * undefined. `name` spells an option as the caller's user typed it (`--sleep-cycles` or `sleepCycles`).
 */
export function unusedOptionProblem(given: Iterable<string>, config: Record<string, unknown>, name: (key: string) => string): string | undefined {
  const keys = new Set(given);
  const dataset = String(config.dataset);
  const text = TEXT_DATASETS.includes(dataset);
  const sleeps = config.negatives === 'self-generated' && config.negativeData !== 'hybrid';
  if (keys.has('sleepCycles') && !sleeps) {
    return `${name('sleepCycles')} sets the wake/sleep cycles of ${name('negatives')} self-generated; this run's negatives are ${config.negativeData === 'hybrid' ? 'hybrid images' : `'${String(config.negatives)}'`} and nothing sleeps`;
  }
  if (keys.has('jitter') && text && config.jitter !== 0) {
    return `${name('jitter')} shifts images; ${dataset}'s inputs are windows of text, which a shift would scramble (leave ${name('jitter')} out)`;
  }
  for (const k of ['crop', 'flip'] as const) {
    if (keys.has(k) && text && config[k] !== 0 && config[k] !== false) {
      return `${name(k)} ${k === 'crop' ? 'crops' : 'mirrors'} images; ${dataset}'s inputs are windows of text, which it would scramble (leave ${name(k)} out)`;
    }
  }
  if (keys.has('lrFloor') && config.schedule !== 'cosine') {
    return `${name('lrFloor')} is where ${name('schedule')} cosine ends; this run's schedule is '${String(config.schedule)}' (add ${name('schedule')} cosine or leave ${name('lrFloor')} out)`;
  }
  if (keys.has('textSplit') && !text && config.textSplit !== 'paper') {
    return `${name('textSplit')} chooses which strings of a text train (${TEXT_DATASETS.join(', ')}); ${dataset} is not a text (leave ${name('textSplit')} out)`;
  }
  if (keys.has('labelInput') && text && config.labelInput === 'pixels') {
    return `${name('labelInput')} pixels would overwrite the first symbols of ${dataset}'s text windows with the label (use extra or auto)`;
  }
  return undefined;
}
