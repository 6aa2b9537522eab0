// What the benchmarks print about the machine they ran on: the CPU, and whatever else was busy
// (timings taken next to another busy process are upper bounds).
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';

export function cpuModel(): string {
  try {
    const line = readFileSync('/proc/cpuinfo', 'utf8').split('\n').find((l) => l.startsWith('model name'));
    if (line) return line.split(':')[1].trim();
  } catch {
    // not Linux
  }
  return os.cpus()[0]?.model ?? 'unknown';
}

/** Busy processes other than this one (from ps; informational only). */
export function otherLoad(): string {
  const r = spawnSync('ps', ['-eo', 'pid,pcpu,args', '--sort=-pcpu'], { encoding: 'utf8' });
  if (r.status !== 0) return '?';
  const busy = r.stdout
    .split('\n')
    .slice(1)
    .map((l) => l.trim().match(/^(\d+)\s+([\d.]+)\s+(.*)$/))
    .filter((m): m is RegExpMatchArray => !!m && Number(m[1]) !== process.pid && Number(m[2]) >= 20 && !m[3].startsWith('ps '))
    .map((m) => `${m[3].slice(0, 60)} (${m[2]}%)`);
  return busy.length ? busy.join('; ') : 'none ≥ 20% CPU';
}
