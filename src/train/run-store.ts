// Where a run's output goes: the training loop writes its checkpoint and metrics through this
// interface and never touches a file system, so the same loop runs in Node (NodeRunStore: a run
// directory) and in a browser (MemoryRunStore). Synchronous on purpose: the epoch's metrics
// line must be durable before the checkpoint replaces the previous one (train/training-loop.ts),
// and both stores that exist are synchronous; a page that wants persistence copies the memory
// store out.

export interface RunStore {
  /** Says where the run is, for messages (a directory, "memory"). */
  readonly location: string;
  /** Says where one of its files is, for messages. */
  locate(file: string): string;
  /** A file's bytes, or undefined when there is no such file. */
  read(file: string): Uint8Array | undefined;
  /** Replaces a whole file atomically: readers see the old contents or the new, never a mix. */
  write(file: string, data: Uint8Array | string): void;
  /** Appends text to a file, creating it if needed; durable (synced) when it returns. */
  append(file: string, text: string): void;
}
