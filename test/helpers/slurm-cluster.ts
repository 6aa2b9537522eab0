// A private one-node Slurm cluster for a test (Debian's slurm-wlm): its own munged (own key
// and socket), slurmctld and slurmd in the foreground as children of the test, ports picked
// free, everything under one temporary directory. Nothing of the machine's own Slurm or
// MUNGE is used or touched; stop() ends the three daemons and waits for them. Needs root (slurmd starts jobs
// as their user, munged refuses another's key).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';

export const SLURM_BINARIES = ['/usr/sbin/munged', '/usr/sbin/slurmctld', '/usr/sbin/slurmd', '/usr/bin/sbatch', '/usr/bin/sinfo'];

export interface SlurmCluster {
  /** The environment for sbatch/sinfo/squeue: SLURM_CONF set. */
  env: NodeJS.ProcessEnv;
  /** Stops the three daemons and waits until they have exited (their files are then safe to remove). */
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      s.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

/** Starts the cluster in `dir` (which must be empty or new) and waits until its node is idle (at most `waitMs`). */
export async function startSlurmCluster(dir: string, waitMs = 60_000): Promise<SlurmCluster> {
  for (const d of ['state', 'spool', 'log']) mkdirSync(path.join(dir, d), { recursive: true });
  // munged refuses a socket below a directory that others cannot search: open the test's own
  // directories under the temporary directory (mkdtemp makes them 0700).
  for (let d = dir; d.startsWith(tmpdir() + path.sep); d = path.dirname(d)) chmodSync(d, statSync(d).mode | 0o055);
  const key = path.join(dir, 'munge.key');
  writeFileSync(key, randomBytes(128), { mode: 0o400 });
  const socket = path.join(dir, 'munge.sock');
  const [ctldPort, slurmdPort] = [await freePort(), await freePort()];
  const conf = path.join(dir, 'slurm.conf');
  writeFileSync(
    conf,
    [
      'ClusterName=fftest',
      'SlurmctldHost=localhost(127.0.0.1)',
      `SlurmctldPort=${ctldPort}`,
      `SlurmdPort=${slurmdPort}`,
      'AuthType=auth/munge',
      'CredType=cred/munge',
      `AuthInfo=socket=${socket}`,
      'SlurmUser=root',
      'SlurmdUser=root',
      `StateSaveLocation=${dir}/state`,
      `SlurmdSpoolDir=${dir}/spool`,
      `SlurmctldPidFile=${dir}/slurmctld.pid`,
      `SlurmdPidFile=${dir}/slurmd.pid`,
      `SlurmctldLogFile=${dir}/log/slurmctld.log`,
      `SlurmdLogFile=${dir}/log/slurmd.log`,
      'ProctrackType=proctrack/linuxproc',
      'TaskPlugin=task/none',
      'SelectType=select/cons_tres',
      'SelectTypeParameters=CR_CPU_Memory',
      'MpiDefault=none',
      'JobAcctGatherType=jobacct_gather/none',
      'AccountingStorageType=accounting_storage/none',
      'ReturnToService=2',
      `NodeName=ffnode NodeAddr=127.0.0.1 CPUs=${availableParallelism()} RealMemory=1024 State=UNKNOWN`,
      'PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP',
      '',
    ].join('\n'),
  );
  const env = { ...process.env, SLURM_CONF: conf };
  const daemons: ChildProcess[] = [];
  // Slurm daemons write their state on the way out: wait for each (SIGKILL after 10 s).
  const stop = async () => {
    for (const d of daemons.reverse()) {
      if (d.exitCode !== null || d.signalCode !== null) continue;
      const exited = new Promise((r) => d.once('exit', r));
      d.kill('SIGTERM');
      const timer = setTimeout(() => d.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
  };
  const start = (cmd: string, args: string[]) => {
    // Their logs go to files (read on failure); an unread stderr pipe could fill and stall them.
    const d = spawn(cmd, args, { env, stdio: 'ignore' });
    daemons.push(d);
    return d;
  };
  try {
    start('/usr/sbin/munged', ['-F', `--socket=${socket}`, `--key-file=${key}`, `--log-file=${dir}/log/munged.log`, `--pid-file=${dir}/munged.pid`, `--seed-file=${dir}/munged.seed`]);
    for (let t = 0; !existsSync(socket); t += 100) {
      if (t > 10_000) {
        const why = existsSync(`${dir}/log/munged.log`) ? readFileSync(`${dir}/log/munged.log`, 'utf8').trim().split('\n').at(-1) : 'no log';
        throw new Error(`munged did not create its socket in 10 s (${why})`);
      }
      await sleep(100);
    }
    start('/usr/sbin/slurmctld', ['-D', '-f', conf]);
    start('/usr/sbin/slurmd', ['-D', '-f', conf, '-N', 'ffnode']);
    for (let t = 0; ; t += 500) {
      const r = spawnSync('/usr/bin/sinfo', ['-h', '-N', '-o', '%T'], { env, encoding: 'utf8', timeout: 10_000 });
      if (r.status === 0 && r.stdout.trim() === 'idle') break;
      if (t > waitMs) {
        const logs = ['slurmctld', 'slurmd'].map((n) => {
          const f = path.join(dir, 'log', `${n}.log`);
          return existsSync(f) ? `${n}: ${readFileSync(f, 'utf8').trim().split('\n').at(-1)}` : `${n}: no log`;
        });
        throw new Error(`the Slurm node is not idle after ${waitMs / 1000} s (sinfo: ${r.stdout.trim() || r.stderr.trim()}; ${logs.join('; ')})`);
      }
      await sleep(500);
    }
  } catch (e) {
    await stop();
    throw e;
  }
  return { env, stop };
}
