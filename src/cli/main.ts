/** Entry point of `npm run -s cli -- ...` (see run.ts). */
import { runCliAsync } from './run';

// async only to load h5wasm first when an argument is an HDF5 (.hspy) file (run.ts runCliAsync)
process.exitCode = await runCliAsync(process.argv.slice(2), {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
});
