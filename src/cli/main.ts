#!/usr/bin/env node
// The `ff` command. Each subcommand lives in its own file and registers itself here.
// Errors users can cause (bad option, bad file) print one line and exit non-zero.
import { Command, CommanderError } from 'commander';
import { registerCompareCommand } from './compare.js';
import { registerExperimentCommand } from './experiment.js';
import { registerDataCommands } from './data.js';
import { registerTrainCommand } from './train.js';
import { registerEvalCommand } from './eval.js';
import { registerPredictCommand } from './predict.js';
import { registerExportCommand } from './export.js';
import { registerShowFieldsCommand } from './show-fields.js';
import { registerShowNegativesCommand } from './show-negatives.js';
import { registerRelaxCommand } from './relax.js';
import { registerReportCommand } from './report.js';
import { registerProbeCommand } from './probe.js';
import { registerSweepCommand } from './sweep.js';
import { registerGatherCommand } from './gather.js';
import { registerGenerateCommand } from './generate.js';
import { registerServeCommand } from './serve.js';
import { registerEngineCommand } from './engine-info.js';
import { blasRelaunchEnv, relaunch } from './relaunch.js';
import { prepareEngine } from '../engine/select.js';

export function buildProgram(): Command {
  const program = new Command();
  program
    .name('ff')
    .description("Hinton's Forward-Forward algorithm: train, evaluate and inspect FF nets (and backprop on the same nets).")
    .option('--engine <kind>', 'numeric engine: auto, native, wasm, js or webgpu (env FF_ENGINE)');
  program.hook('preAction', async (cmd) => {
    const engine = cmd.opts().engine as string | undefined;
    if (engine) process.env.FF_ENGINE = engine;
    await prepareEngine(); // opens the GPU device for webgpu; nothing for the others
  });
  registerTrainCommand(program);
  registerEvalCommand(program);
  registerPredictCommand(program);
  registerExportCommand(program);
  registerDataCommands(program);
  registerCompareCommand(program);
  registerExperimentCommand(program);
  registerShowFieldsCommand(program);
  registerShowNegativesCommand(program);
  registerReportCommand(program);
  registerRelaxCommand(program);
  registerProbeCommand(program);
  registerSweepCommand(program);
  registerGatherCommand(program);
  registerServeCommand(program);
  registerGenerateCommand(program);
  registerEngineCommand(program);
  usageErrorsAsOneLine(program, 'ff');
  return program;
}

/**
 * Commander's error settings belong to each command (a subcommand copies them only when it is
 * created, and not at all through addCommand), so they are set on every command here, after
 * registration: a usage error is `ff: <message>` like every other error, then a hint naming
 * the command's own --help, and main() turns it into the exit code instead of process.exit.
 */
function usageErrorsAsOneLine(cmd: Command, name: string): void {
  cmd
    .configureOutput({ outputError: (str, write) => write(`ff: ${oneLine(str.replace(/^error: /, '').replace(/\n$/, ''))}\n`) })
    .showHelpAfterError(`(run ${name} --help for usage)`)
    .exitOverride();
  for (const sub of cmd.commands) usageErrorsAsOneLine(sub, `${name} ${sub.name()}`);
}

/** Commander quotes an argument as given: a line break in it must not break the error's line. */
function oneLine(message: string): string {
  return message.replace(/[\x00-\x1f\x7f\u2028\u2029]/g, (c) => (c === '\n' ? '\\n' : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`));
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      // Commander already printed its message (help, version, or a usage error).
      return e.exitCode;
    }
    const msg = e instanceof Error ? e.message : String(e);
    process.stderr.write(`ff: ${msg.split('\n')[0]}\n`);
    if (process.env.FF_DEBUG && e instanceof Error && e.stack) process.stderr.write(`${e.stack}\n`);
    return 1;
  }
}

const isEntry = process.argv[1] && /(?:^|[\\/])(main\.[jt]s|ff)$/.test(process.argv[1]);
if (isEntry) {
  // `ff eval RUN | head`: the reader went away; stop quietly, as other Unix tools do.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(0);
    throw e;
  });
  // OpenBLAS on a CPU it does not know: start again with its kernels named (relaunch.ts).
  const env = blasRelaunchEnv();
  (env ? relaunch(env) : main(process.argv)).then((code) => {
    process.exitCode = code;
  });
}
