/** Entry point of `npm run -s cli -- ...` (see run.ts). */
import { runCli } from './run';

process.exitCode = runCli(process.argv.slice(2), {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
});
