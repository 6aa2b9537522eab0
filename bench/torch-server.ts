// The benchmarks' PyTorch side: a long-lived Python subprocess (Debian's python3-torch) that
// answers one JSON line per JSON command line, so no Python start-up lands inside a timing.
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface, type Interface } from 'node:readline';

/** Debian's python3-torch lives here; NOT the pyenv python3 that may come first on PATH. */
export const PYTHON = '/usr/bin/python3';

export class TorchServer {
  private readonly proc: ChildProcessWithoutNullStreams;
  private readonly lines: Interface;
  private readonly waiting: ((line: string) => void)[] = [];
  private stderr = '';

  /** `env` is added to this process's environment (OMP_WAIT_POLICY must be set before torch loads). */
  constructor(
    readonly label: string,
    script: string,
    args: string[] = [],
    env: Record<string, string> = {},
  ) {
    this.proc = spawn(PYTHON, [script, ...args], { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
    this.proc.stderr.on('data', (d: Buffer) => (this.stderr += d.toString()));
    this.lines = createInterface({ input: this.proc.stdout });
    this.lines.on('line', (l) => this.waiting.shift()?.(l));
    this.proc.on('exit', (code) => {
      for (const w of this.waiting.splice(0)) w(JSON.stringify({ error: `python exited (${code}): ${this.stderr.trim().split('\n').pop()}` }));
    });
  }

  async call<T = Record<string, unknown>>(cmd: Record<string, unknown>): Promise<T> {
    const line = await new Promise<string>((resolve) => {
      this.waiting.push(resolve);
      this.proc.stdin.write(JSON.stringify(cmd) + '\n');
    });
    const r = JSON.parse(line) as T & { error?: string };
    if (r.error) throw new Error(`torch ${this.label}: ${r.error}`);
    return r;
  }

  async close(): Promise<void> {
    try {
      await this.call({ cmd: 'quit' });
    } catch {
      // already gone
    }
    this.lines.close();
    this.proc.stdin.end();
  }
}

/** Whether PYTHON imports torch (and its version, or why not). */
export function torchImportable(): { ok: boolean; why: string } {
  const r = spawnSync(PYTHON, ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8', timeout: 120_000 });
  if (r.error) return { ok: false, why: `${PYTHON}: ${r.error.message}` };
  if (r.status !== 0) return { ok: false, why: `${PYTHON} cannot import torch (${(r.stderr || '').trim().split('\n').pop()})` };
  return { ok: true, why: r.stdout.trim() };
}
