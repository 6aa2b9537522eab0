// `ff generate RUN --prime "the lion "`: text from a run trained on Aesop's fables (SPEC §6).
// The run's next-character predictor — FF's linear softmax on its hidden layers, or BP's
// output layer — is sampled one symbol at a time at a temperature (default 1: an argmax
// rollout collapses to spaces), each sample shifted into the 10-symbol context.
import { InvalidArgumentError, type Command } from 'commander';
import { TEXT_ALPHABET_SIZE } from '../data/text-alphabet.js';
import { Rng } from '../engine/rng.js';
import { getEngine } from '../engine/select.js';
import { loadRun } from '../experiments/load-run.js';
import { generateText } from '../ff/generate-text.js';
import { intArg } from './int-option.js';

export { generateText };

interface GenerateOptions {
  prime: string;
  length: number;
  temperature: number;
  seed: number;
}

function positiveNumber(max: number) {
  return (raw: string): number => {
    const v = Number(raw);
    if (!/^\d+(\.\d+)?([eE][+-]?\d+)?$/.test(raw) || !(v > 0) || v > max) throw new InvalidArgumentError(`must be a positive number up to ${max}`);
    return v;
  };
}

export function registerGenerateCommand(program: Command): void {
  program
    .command('generate <dir>')
    .description("continue a text with a run trained on Aesop's fables, sampling its next-character predictor")
    .option('--prime <text>', 'the text to continue (its last 10 characters are the first context; shorter is padded with spaces)', 'the ')
    .option('--length <n>', 'characters to generate', intArg(1, 100000), 200)
    .option('--temperature <t>', 'sampling temperature: p^(1/t), renormalised (1 = the model’s own probabilities; near 0 = nearly always the most probable)', positiveNumber(100), 1)
    .option('--seed <n>', 'random seed of the sampling', intArg(0), 1)
    .action(async (dir: string, o: GenerateOptions) => {
      const { model, config, shape, warnings } = loadRun(getEngine(), dir);
      for (const w of warnings) process.stderr.write(`ff: warning: ${w}\n`);
      if (config.dataset !== 'aesop' || shape.height !== 1 || shape.channels !== TEXT_ALPHABET_SIZE) {
        throw new Error(`${dir}: trained on ${String(config.dataset)}, not on text: generate needs a run of --dataset aesop`);
      }
      const text = await generateText(model, o.prime, shape.width, o.length, o.temperature, new Rng(o.seed));
      process.stdout.write(`${text.prime}[${text.generated}]\n`);
    });
}
