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
  // joint fits of several datasets (joint-command.ts)
  'per-dataset', 'dataset-vars', 'relation', 'dataset-components',
  // spectrum images (multifit-command.ts)
  'x-start', 'x-step', 'order', 'workers', 'out', 'variance',
  // images (image-args.ts; fit/sample take --variance as a file)
  'weight', 'mask', 'psf', 'psf-gaussian', 'psf-moffat', 'chunk',
]);
const SAMPLE_OPTIONS = ['sampler', 'chains', 'draws', 'tune', 'seed', 'out', 'metric', 'walkers', 'hierarchy', 'threads']; // sample-command.ts, sample-hierarchy.ts
for (const o of SAMPLE_OPTIONS) VALUE_OPTIONS.add(o);
const SWITCHES = new Set(['mass-from-fit', 'no-mass-from-fit', 'json', 'help', 'minos', 'frozen', 'reoptimize', 'sequential', 'linear']);

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
  fit <data1> <data2> ... [joint options]   one model, several datasets, one joint fit (summed statistic);
                                            a session file with several datasets is fitted jointly too
  errors <data> ... [--minos] [--sigma N]   fit, then MINOS (profile-likelihood) intervals of every free parameter
  profile <data> ... --param P [--points N] [--frozen] [--range LO:HI]
                                            Δstatistic along P, the others re-optimised (--frozen: kept at the best fit)
  contour <data> ... --params A,B [--sigma 1,2 | --cl 0.683,0.954] [--convention coverage|gammapy] [--points N]
                                            confidence contours of two parameters; levels in Δχ²: coverage
                                            convention nσ = 2D region with the 1D nσ coverage (Δχ² 2.30, 6.18),
                                            gammapy nσ: Δχ² = n²; --cl: 2D coverage (default --sigma 1)
  surface <data> ... --params A,B --grid NxM [--reoptimize] [--xrange LO:HI] [--yrange LO:HI]
                                            Δstatistic on a grid (default ±3 errors), others frozen unless --reoptimize
  sample <data> ... [--sampler nuts|hmc|mh|ensemble] [--chains N] [--draws N] [--tune N] [--seed S]
         [--no-mass-from-fit] [--metric auto|diag|dense] [--walkers W] [--out chains.csv] [--threads N]
                                            fit, then sample the posterior (likelihood x priors) with chains started
                                            from the best fit spread by its covariance; summary per parameter (mean,
                                            sd, 94 % HDI, MCSE, bulk/tail ESS, R-hat), divergences, warnings.
                                            Defaults: nuts, 4 chains, 1000 draws, 1000 tune (mh: 4000/2000), seed 1.
                                            The fit covariance is the initial inverse mass matrix (nuts/hmc; its
                                            diagonal with --metric diag) or proposal (mh) unless --no-mass-from-fit.
                                            --metric auto (default): dense up to 64 parameters, diagonal above.
                                            --sampler ensemble (affine-invariant stretch move, as emcee): --chains is
                                            the number of independent ensembles, --draws the kept steps per walker,
                                            --tune the burn-in steps, --walkers the walkers per ensemble (default
                                            max(16, 4 x parameters)); diagnostics: nested R-hat over the ensembles,
                                            ESS from the walkers thinned by tau/2 (named in the output).
                                            --out: CSV of the draws, chain,draw,<params> (ensemble: chain,walker,draw,...)
                                            --threads N: images with nuts/hmc split each gradient across N threads
                                            (bands of canvas rows; default: the machine's cores, at most 8; 1 = off)
  sample <session.fitbench.json holding a hierarchical model> | sample --hierarchy FILE.json [sampler options]
         [--params mu_r,sigma_r,r[0..9]]
                                            sample the hierarchical model (hyperparameters, members drawn from their
                                            population, observations) instead of a fit; the table shows the
                                            hyperparameters and one line per member group (--params chooses rows:
                                            names, r[3], r[0..9], r, all; JSON: every parameter unless --params)
  multifit <cube.npy | cube.hspy | a.msa b.msa ...> --out DIR [spectrum-image options]
                                            one model fitted to every pixel of a spectrum image; writes
                                            DIR/<key>.npy, <key>.error.npy, red_chisq.npy, status.npy (rows x cols)

Model (one of):
  --model EXPR                     a formula in x, e.g. "b1*(1-exp(-b2*x))"; its free symbols are parameters
  --component TYPE:name=value,...  a component (repeatable), e.g. --component 'Gaussian:centre=40,sigma=4,A=20'
                                   keys are <component name>.<parameter> (Gaussian, Gaussian_1, ...)
Options:
  --start name=value,...     starting values (default 1 for formula symbols)
  --bounds name=lo:hi,...    bounds (use inf / -inf for none)
  --fix name,...             fixed parameters
  --method auto|lm|simplex|lbfgsb|iter|iterlm|adam
                             (default auto: LM with robust restarts; likelihoods use L-BFGS-B); iter: one
                             component at a time on the residual of the others; iterlm: LM on chunks of
                             --chunk parameters (default 8); adam: gradient descent (Adam)
  --stat chi2|cash|gauss|poisson    (default chi2)
  --x-col NAME --y-col NAME --sigma-col NAME   columns (default: x/first, y/second, sigma|error|err/none)
  --max-iter N               iteration limit
  --json                     print one JSON object (see docs); otherwise a table
Images (FITS .fits/.fit/.fts[.gz] or a 2D .npy; x = column, y = row, pixel centres at integers):
  --component 'Sersic:x=67,y=66,q=0.6,pa=0.698,n=1.5,Re=25,Ie=2' --component 'FlatSky:F=1.4'
                             2D types: Sersic, ExponentialDisk, Gaussian2D, Moffat2D, PointSource,
                             FlatSky, PlaneSky (or --model with a formula in x and y); PA in radians
                             from +x towards +y, q = b/a, Re in pixels, Ie/F/flux log10 per pixel;
                             parameter names in any case (pa = PA)
  --variance FILE | --weight FILE   per-pixel variance or inverse variance (same shape as the image)
  --mask FILE                non-zero pixels are left out of the fit
  --psf FILE | --psf-gaussian SIGMA[,SIZE] | --psf-moffat N,RD[,SIZE]
                             the PSF the model is convolved with (odd square, normalised on load)
  --chunk N                  LM forms J^T J from blocks of N Jacobian columns (automatic above 32 MB)
Joint fits (several data files or folders holding data.json + noise_map.json; parameters are shared unless):
  --per-dataset name,...     parameters free per dataset, reported as name[0], name[1], ... (a bare parameter
                             name such as sigma is enough when only one component has it)
  --dataset-vars x=1,2,3     one value per dataset of a named variable (repeat, or separate with ;)
  --relation "sigma=m*x+c"   the parameter's value in each dataset is a formula in the dataset variables and
                             hyperparameters (its other symbols, fitted once, reported by name); repeatable;
                             log10, ln, exp, division... allowed. --start/--bounds/--fix take hyperparameters
                             (m=2), and --start takes per-dataset copies (sigma[1]=20)
  --dataset-components "0:Gaussian,Offset;1:Gaussian,Exponential,Offset"
                             datasets with different models: dataset i (0-based, in the order of the files)
                             uses only the named components (repeat, or separate with ;); a dataset not
                             named uses all. A parameter used by several datasets is shared by them
                             (unless --per-dataset); a relation applies where the model has the parameter
  --sequential               fit each dataset alone instead; JSON {"fits": [...]}
Spectrum images (multifit; .npy (rows, cols, channels) or (pixels, channels); HyperSpy .hspy with its axes; several .msa = one stack):
  --x-start S --x-step D     signal axis S + D * channel (.npy default 0 and 1; MSA files: their calibration)
  --order serpentine|flyback|smart   scan order (default serpentine); smart = SAMFire-like spreading from seeds
  --workers N                worker threads (default: available cores, at most one per 256 pixels); the pixels
                             are split into N blocks of rows, each fitted alone from the starting values
                             (smart: each block seeded at its brightest pixel)
  --variance auto|poisson|unit|sigma   chi2 weights (default auto: the data's sigma, else unit weights)
  --linear                   demand the linear fast path (closed-form; only amplitudes free); it is taken
                             by itself whenever the model allows and --stat is chi2 or gauss
  --out DIR                  folder for the maps; --stat chi2|gauss|poisson|cash as for fit
Exit codes: 0 fitted, 1 the fit failed, 2 bad arguments.`;
