// Early stopping on the validation set (issue 34, item 3): the loop reports each validation;
// this keeps the best one's checkpoint (as bytes, so later steps cannot change it) and says
// when the run has gone `patience` validations without improving. "Best" is the lowest error of
// the model's first validation classifier (FF: softmax; BP: output). The best checkpoint is
// also written to the run store, so a resumed run still knows it.
import { decodeCheckpoint, encodeCheckpoint, type Checkpoint } from './checkpoint-format.js';
import type { EpochMetrics } from './metrics-log.js';
import type { RunStore } from './run-store.js';

export const BEST_CHECKPOINT_FILE = 'best.safetensors';

export class EarlyStopping {
  private bestError = Infinity;
  private bestBytes: Uint8Array | undefined;
  /** Epoch of the best validation so far (0: none yet). */
  bestEpoch = 0;
  /** Validations since the best one. */
  private since = 0;

  constructor(
    readonly patience: number,
    readonly mode: string,
  ) {}

  /**
   * After a resume from the checkpoint of epoch `ckEpoch` (file `ckFile` in the store): the best
   * and the count since it from the epochs already logged, and the best checkpoint from the
   * store. A crash between an epoch's checkpoint and its best file leaves the checkpoint as the
   * best; any other mismatch is a one-line error.
   */
  resume(logged: EpochMetrics[], store: RunStore | undefined, ckEpoch: number, ckFile: string): void {
    for (const m of logged) this.judge(m);
    if (this.bestEpoch === 0 || !store) return;
    const bytes = store.read(BEST_CHECKPOINT_FILE);
    const epochOf = (b: Uint8Array | undefined, f: string) => (b ? Number(decodeCheckpoint(b, store.locate(f)).state.epoch) : undefined);
    if (epochOf(bytes, BEST_CHECKPOINT_FILE) === this.bestEpoch) this.bestBytes = bytes;
    else if (this.bestEpoch === ckEpoch) this.bestBytes = store.read(ckFile);
    else throw new Error(`${store.locate(BEST_CHECKPOINT_FILE)}: missing or not epoch ${this.bestEpoch}'s weights, which early stopping needs to resume`);
  }

  /** 'best' when this epoch's validation is the best so far, 'stop' when patience has run out, else 'continue'. */
  judge(m: EpochMetrics): 'best' | 'stop' | 'continue' {
    const err = m.valid?.[this.mode];
    if (err === undefined) return 'continue';
    if (err < this.bestError) {
      this.bestError = err;
      this.bestEpoch = m.epoch;
      this.since = 0;
      return 'best';
    }
    this.since++;
    return this.since >= this.patience ? 'stop' : 'continue';
  }

  /** Keeps `ck` as the best. */
  keep(ck: Checkpoint): void {
    this.bestBytes = encodeCheckpoint(ck);
  }

  /** Writes the best checkpoint to the store (atomically). */
  save(store: RunStore): void {
    if (this.bestBytes) store.write(BEST_CHECKPOINT_FILE, this.bestBytes);
  }

  /** The best validation's checkpoint, a fresh copy (undefined before any validation). */
  best(): Checkpoint | undefined {
    return this.bestBytes && decodeCheckpoint(this.bestBytes, BEST_CHECKPOINT_FILE);
  }
}
