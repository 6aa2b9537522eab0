// tsc writes dist/src/cli/main.js without the executable bit. npm sets it when it links the
// package's bin, but only if the file exists then; when `prepare` builds dist after that (seen
// under CI=true), `npx ff` fails with "Permission denied". Set it ourselves after every build.
import { chmodSync, readFileSync } from 'node:fs';

const { bin } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
for (const file of Object.values(bin)) chmodSync(new URL(`../${file}`, import.meta.url), 0o755);
