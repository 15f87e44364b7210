/** Small argument helpers for the headless runner (usage errors exit with code 2). */
export class UsageError extends Error {}

export interface ParsedArgs {
  command: string;
  positionals: string[];
  flags: Map<string, string[]>;
  switches: Set<string>;
}

/** Options that take a value; every other --name is a switch. */
const VALUE_OPTIONS = new Set([
  'model', 'start', 'bounds', 'fix', 'method', 'stat', 'x-col', 'y-col', 'sigma-col', 'component', 'max-iter',
  // uncertainty commands (uncertainty-commands.ts)
  'param', 'params', 'points', 'sigma', 'cl', 'convention', 'grid', 'range', 'xrange', 'yrange',
]);
const SWITCHES = new Set(['json', 'help', 'minos', 'frozen', 'reoptimize']);

export function parseArgs(argv: string[]): ParsedArgs {
  const [command = '', ...rest] = argv;
  const positionals: string[] = [];
  const flags = new Map<string, string[]>();
  const switches = new Set<string>();
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i];
    if (!a.startsWith('--')) {
      positionals.push(a);
      continue;
    }
    const eq = a.indexOf('=');
    const name = eq > 0 ? a.slice(2, eq) : a.slice(2);
    if (SWITCHES.has(name)) {
      switches.add(name);
      continue;
    }
    if (!VALUE_OPTIONS.has(name)) throw new UsageError(`Unknown option --${name}`);
    const value = eq > 0 ? a.slice(eq + 1) : rest[++i];
    if (value === undefined) throw new UsageError(`--${name} needs a value`);
    flags.set(name, [...(flags.get(name) ?? []), value]);
  }
  return { command, positionals, flags, switches };
}

export function single(args: ParsedArgs, name: string): string | undefined {
  const v = args.flags.get(name);
  if (v && v.length > 1) throw new UsageError(`--${name} given more than once`);
  return v?.[0];
}

export function parseNumberArg(text: string, what: string): number {
  const t = text.trim().toLowerCase();
  if (t === 'inf' || t === '+inf') return Infinity;
  if (t === '-inf') return -Infinity;
  const v = Number(t);
  if (t === '' || Number.isNaN(v)) throw new UsageError(`${what}: "${text}" is not a number`);
  return v;
}

/** "a=1,b=2" -> [["a", "1"], ["b", "2"]] */
export function keyValues(text: string, what: string): [string, string][] {
  return text
    .split(',')
    .filter((s) => s.trim() !== '')
    .map((pair) => {
      const eq = pair.indexOf('=');
      if (eq <= 0) throw new UsageError(`${what}: expected name=value, got "${pair}"`);
      return [pair.slice(0, eq).trim(), pair.slice(eq + 1).trim()];
    });
}

export const USAGE = `Usage: npm run -s cli -- <command> [options]

Commands:
  fit <data file | session.fitbench.json>   fit a model to a dataset
  errors <data> ... [--minos] [--sigma N]   fit, then MINOS (profile-likelihood) intervals of every free parameter
  profile <data> ... --param P [--points N] [--frozen] [--range LO:HI]
                                            Δstatistic along P, the others re-optimised (--frozen: kept at the best fit)
  contour <data> ... --params A,B [--sigma 1,2 | --cl 0.683,0.954] [--convention coverage|gammapy] [--points N]
                                            confidence contours of two parameters; levels in Δχ²: coverage
                                            convention nσ = 2D region with the 1D nσ coverage (Δχ² 2.30, 6.18),
                                            gammapy nσ: Δχ² = n²; --cl: 2D coverage (default --sigma 1)
  surface <data> ... --params A,B --grid NxM [--reoptimize] [--xrange LO:HI] [--yrange LO:HI]
                                            Δstatistic on a grid (default ±3 errors), others frozen unless --reoptimize

Model (one of):
  --model EXPR                     a formula in x, e.g. "b1*(1-exp(-b2*x))"; its free symbols are parameters
  --component TYPE:name=value,...  a component (repeatable), e.g. --component 'Gaussian:centre=40,sigma=4,A=20'
                                   keys are <component name>.<parameter> (Gaussian, Gaussian_1, ...)
Options:
  --start name=value,...     starting values (default 1 for formula symbols)
  --bounds name=lo:hi,...    bounds (use inf / -inf for none)
  --fix name,...             fixed parameters
  --method auto|lm|simplex|lbfgsb   (default auto: LM with robust restarts; likelihoods use L-BFGS-B)
  --stat chi2|cash|gauss|poisson    (default chi2)
  --x-col NAME --y-col NAME --sigma-col NAME   columns (default: x/first, y/second, sigma|error|err/none)
  --max-iter N               iteration limit
  --json                     print one JSON object (see docs); otherwise a table
Exit codes: 0 fitted, 1 the fit failed, 2 bad arguments.`;
