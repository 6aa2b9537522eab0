// `ff export DIR --format onnx --out FILE`: a trained run as a model other tools run
// (onnxruntime in Node, the browser, Python; Netron). What the graph computes is in
// src/export/export-onnx.ts; the file is written whole or not at all.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { getEngine } from '../engine/select.js';
import { loadRun } from '../experiments/load-run.js';
import { EXPORT_FORMATS, exportOnnx } from '../export/export-onnx.js';
import { OPSET } from '../export/onnx-proto.js';
import { assertWritableTarget, writeFileAtomic } from '../util/atomic-write.js';
import { messageValue } from '../util/message-value.js';
import { packageRoot } from '../util/package-root.js';

export function registerExportCommand(program: Command): void {
  program
    .command('export <dir>')
    .description('write a trained run as an ONNX model (onnxruntime in Node, browsers and Python)')
    .requiredOption('--out <file>', 'the model file to write, e.g. model.onnx')
    .option('--format <format>', `file format: ${EXPORT_FORMATS.join(', ')}`, 'onnx')
    .action(async (dir: string, o: { out: string; format: string }) => {
      if (!(EXPORT_FORMATS as readonly string[]).includes(o.format)) throw new Error(`--format must be one of ${EXPORT_FORMATS.join(', ')}, got ${messageValue(o.format)}`);
      assertWritableTarget(o.out);
      const run = loadRun(getEngine(), dir);
      for (const w of run.warnings) process.stderr.write(`ff: warning: ${w}\n`);
      const { bytes, kind, outputs } = await exportOnnx(run, { producerVersion: packageVersion() });
      writeFileAtomic(o.out, bytes);
      console.log(`${o.out}: ${kind} run as ONNX (opset ${OPSET}), outputs ${outputs.join(', ')}, ${(bytes.length / 2 ** 20).toFixed(1)} MiB`);
    });
}

/** This package's version, for the model's producer_version ('' if its package.json is not found). */
function packageVersion(): string {
  const root = packageRoot(path.dirname(fileURLToPath(import.meta.url)));
  if (!root) return '';
  try {
    return String((JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { version?: unknown }).version ?? '');
  } catch {
    return '';
  }
}
