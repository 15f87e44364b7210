/**
 * The headless runner: `npm run -s cli -- <command> ... [--json]`. The same core as the app.
 * stdout carries the result only; messages go to stderr. Exit: 0 ok, 1 failed fit, 2 usage.
 */
import { parseArgs, UsageError, USAGE } from './args';
import { fitCommand, type CommandOutput } from './fit-command';
import { DataError } from './load-data';
import { loadHdf5ForArgs } from './hdf5-args';
import { UNCERTAINTY_COMMANDS } from './uncertainty-commands';

export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
}

const COMMANDS: Record<string, (args: ReturnType<typeof parseArgs>) => CommandOutput> = {
  fit: fitCommand,
};

export function runCli(argv: string[], io: CliIo): number {
  let json = argv.includes('--json');
  try {
    const args = parseArgs(argv);
    json = args.switches.has('json');
    if (args.switches.has('help') || args.command === 'help' || args.command === '') {
      io.stdout(USAGE + '\n');
      return args.command === '' && !args.switches.has('help') ? 2 : 0;
    }
    const command = Object.prototype.hasOwnProperty.call(COMMANDS, args.command) ? COMMANDS[args.command] : undefined;
    if (!command) throw new UsageError(`Unknown command "${args.command}"`);
    const out = command(args);
    io.stdout(out.stdout + '\n');
    return out.code;
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr(`fitbench: ${e.message}\n\n${USAGE}\n`);
      return 2;
    }
    const msg = e instanceof Error ? e.message : String(e);
    const kind = e instanceof DataError ? 'data error' : 'fit failed';
    if (json) io.stdout(JSON.stringify({ error: kind, reason: msg }) + '\n');
    io.stderr(`fitbench: ${msg}\n`);
    return 1;
  }
}

/**
 * runCli after loading what the arguments need (h5wasm when one names an HDF5 / .hspy file,
 * hdf5-args.ts); the entry point (main.ts) runs this. A failed load leaves the HDF5 readers to
 * report it for their file.
 */
export async function runCliAsync(argv: string[], io: CliIo): Promise<number> {
  try {
    await loadHdf5ForArgs(argv);
  } catch {
    // reported by the reader of each HDF5 file
  }
  return runCli(argv, io);
}

/** Lets other commands register (errors, profile, contour, ...). */
export function registerCommand(name: string, f: (args: ReturnType<typeof parseArgs>) => CommandOutput): void {
  COMMANDS[name] = f;
}

for (const [name, f] of Object.entries(UNCERTAINTY_COMMANDS)) registerCommand(name, f);

import { multifitCommand } from './multifit-command';
import { SAMPLE_COMMANDS } from './sample-command';

registerCommand('multifit', multifitCommand);
for (const [name, f] of Object.entries(SAMPLE_COMMANDS)) registerCommand(name, f);
