// A command that starts itself again through relaunch(), for test/cli/relaunch.test.ts. The
// first process adds FIXTURE_STAGE=2; the second prints one JSON line (its arguments and pid),
// then: a number → exits with it; 'wait' → waits for SIGTERM, says so and exits 143;
// 'die' → kills itself with SIGKILL (a signal it cannot handle).
import { relaunch } from '../../src/cli/relaunch.js';

if (process.env.FIXTURE_STAGE !== '2') {
  relaunch({ ...process.env, FIXTURE_STAGE: '2' }).then((code) => {
    process.exitCode = code;
  });
} else {
  const [mode, ...rest] = process.argv.slice(2);
  if (mode === 'wait') {
    // The handler before the line that tells the test to send the signal.
    process.on('SIGTERM', () => {
      process.stdout.write('second process got SIGTERM\n', () => process.exit(143));
    });
    setTimeout(() => process.exit(99), 60_000); // never hang a test run
  }
  process.stdout.write(`${JSON.stringify({ args: rest, pid: process.pid })}\n`);
  if (mode === 'die') process.kill(process.pid, 'SIGKILL');
  else if (mode !== 'wait') process.exitCode = Number(mode);
}
