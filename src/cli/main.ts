/**
 * The headless runner: `npm run -s cli -- <command> ... [--json]`. The same core as the app.
 * stdout carries the result only; messages go to stderr. Exit: 0 ok, 1 failed fit, 2 usage.
 */
import { parseArgs, UsageError, USAGE } from './args';
import { fitCommand } from './fit-command';
import { DataError } from './load-data';

function main(argv: string[]): number {
  let json = argv.includes('--json');
  try {
    const args = parseArgs(argv);
    json = args.switches.has('json');
    if (args.switches.has('help') || args.command === 'help' || args.command === '') {
      process.stdout.write(USAGE + '\n');
      return args.command === '' && !args.switches.has('help') ? 2 : 0;
    }
    let out;
    switch (args.command) {
      case 'fit':
        out = fitCommand(args);
        break;
      default:
        throw new UsageError(`Unknown command "${args.command}"`);
    }
    process.stdout.write(out.stdout + '\n');
    return out.code;
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`fitbench: ${e.message}\n\n${USAGE}\n`);
      return 2;
    }
    const msg = e instanceof Error ? e.message : String(e);
    const kind = e instanceof DataError ? 'data error' : 'fit failed';
    if (json) process.stdout.write(JSON.stringify({ error: kind, reason: msg }) + '\n');
    process.stderr.write(`fitbench: ${msg}\n`);
    return 1;
  }
}

process.exitCode = main(process.argv.slice(2));
