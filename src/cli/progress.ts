// Progress bar with ETA for the batches of an epoch (stderr, only on a terminal) and the
// one line per epoch that stays in the log.
import cliProgress from 'cli-progress';
import type { EpochMetrics } from '../train/trainer.js';

export function epochProgress(enabled: boolean) {
  let bar: cliProgress.SingleBar | null = null;
  const on = enabled && process.stderr.isTTY;
  return {
    start(epoch: number, total: number, batches: number) {
      if (!on) return;
      bar = new cliProgress.SingleBar(
        { format: `epoch ${epoch}/${total} [{bar}] {value}/{total} batches | ETA {eta_formatted}`, stream: process.stderr, clearOnComplete: true, hideCursor: true },
        cliProgress.Presets.shades_classic,
      );
      bar.start(batches, 0);
    },
    update(done: number) {
      bar?.update(done);
    },
    stop() {
      bar?.stop();
      bar = null;
    },
  };
}

const pct = (x: number) => `${(100 * x).toFixed(2)}%`;
const list = (v: unknown, f: (x: number) => string) => (Array.isArray(v) ? v.map((x) => f(Number(x))).join(' ') : '');

/** "about 5 h 51 min left": a coarse duration, as a person reads a long run's log. */
export function timeLeftText(seconds: number): string {
  const min = Math.round(seconds / 60);
  if (seconds < 90) return `about ${Math.max(1, Math.round(seconds))} s left`;
  return min < 60 ? `about ${min} min left` : `about ${Math.floor(min / 60)} h ${min % 60} min left`;
}

/**
 * The whole run's time left after each epoch: the epochs still to train times the median of the
 * last ten epochs' times (which includes the every-Nth validation and drops a disturbed epoch).
 */
export function runTimeLeft(total: number) {
  const recent: number[] = [];
  return (m: EpochMetrics): string | undefined => {
    recent.push(m.seconds);
    if (recent.length > 10) recent.shift();
    if (m.epoch >= total) return undefined;
    const sorted = [...recent].sort((a, b) => a - b);
    return timeLeftText((total - m.epoch) * sorted[sorted.length >> 1]);
  };
}

export function formatEpochLine(m: EpochMetrics, total: number, timeLeft?: string): string {
  const parts = [`epoch ${String(m.epoch).padStart(String(total).length)}/${total}`, `gain ${m.gain.toFixed(3)}`];
  if (m.ffLoss !== undefined) parts.push(`ff-loss ${list(m.ffLoss, (x) => x.toFixed(3))}`);
  // Recurrent nets average pair errors over their iterations: not always whole numbers.
  if (m.pairErrors !== undefined) parts.push(`pair-errors ${list(m.pairErrors, (x) => (Number.isInteger(x) ? String(x) : x.toFixed(1)))}`);
  if (Array.isArray(m.layerTrainError)) parts.push(`train-errors ${list(m.layerTrainError as number[], pct)}`);
  if (typeof m.softmaxLoss === 'number') parts.push(`softmax-loss ${m.softmaxLoss.toFixed(4)}`);
  if (typeof m.probeLoss === 'number') parts.push(`probe-loss ${m.probeLoss.toFixed(4)}`);
  if (typeof m.trainLoss === 'number') parts.push(`train-loss ${m.trainLoss.toFixed(4)}`);
  if (typeof m.boxModelError === 'number') parts.push(`box-twin-error ${pct(m.boxModelError)}`);
  if (m.valid) parts.push(`valid ${Object.entries(m.valid).map(([k, v]) => `${k} ${pct(v)}`).join(' ')}`);
  parts.push(timeLeft ? `${m.seconds.toFixed(1)} s, ${timeLeft}` : `${m.seconds.toFixed(1)} s`);
  const line = parts.join('  ');
  return m.warnings?.length ? `${line}\n  warning: ${m.warnings.join('\n  warning: ')}` : line;
}

/** "5000 of 45000" when --train-subset trains on part of the training set, else "45000". */
export function trainCountText(subset: number | undefined, count: number): string {
  return subset && subset > 0 && subset < count ? `${subset} of ${count}` : String(count);
}
