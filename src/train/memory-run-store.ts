// A run store held in memory: for browsers, tests, and runs nobody needs to keep on disk.
import type { RunStore } from './run-store.js';

export class MemoryRunStore implements RunStore {
  readonly location = 'memory';
  private readonly files = new Map<string, Uint8Array>();

  locate(file: string): string {
    return `memory:${file}`;
  }

  read(file: string): Uint8Array | undefined {
    return this.files.get(file);
  }

  write(file: string, data: Uint8Array | string): void {
    // A copy: the caller may reuse its buffer.
    this.files.set(file, typeof data === 'string' ? new TextEncoder().encode(data) : data.slice());
  }

  append(file: string, text: string): void {
    const old = this.files.get(file) ?? new Uint8Array(0);
    const add = new TextEncoder().encode(text);
    const joined = new Uint8Array(old.length + add.length);
    joined.set(old);
    joined.set(add, old.length);
    this.files.set(file, joined);
  }

  /** The names of the files written so far. */
  list(): string[] {
    return [...this.files.keys()];
  }
}
