// Devices, FIFOs and sockets for the output-path tests, made with the system's own tools
// (mknod needs root or CAP_MKNOD, so a test skips with the reason where it is refused).
import { execFileSync } from 'node:child_process';

/** Makes a special file with a system tool; the reason it cannot, or undefined when made. */
export function makeSpecialFile(tool: string, args: string[]): string | undefined {
  try {
    execFileSync(tool, args, { stdio: 'pipe', timeout: 10_000 });
    return undefined;
  } catch (e) {
    return `${tool} not permitted here: ${String((e as Error).message).split('\n')[0]}`;
  }
}
