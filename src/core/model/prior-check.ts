/** Checks a prior document before it is stored: the numbers each kind needs, in a usable range. */
import type { PriorDoc } from './document';

export const PRIOR_KINDS: PriorDoc['kind'][] = ['uniform', 'loguniform', 'gaussian', 'truncgaussian'];

export const PRIOR_LABELS: Record<PriorDoc['kind'], string> = {
  uniform: 'Uniform(lower, upper)',
  loguniform: 'LogUniform(lower, upper)',
  gaussian: 'Gaussian(mu, sigma)',
  truncgaussian: 'TruncatedGaussian(mu, sigma, lower, upper)',
};

/** null when valid, else what is wrong in words. */
export function priorProblem(p: PriorDoc): string | null {
  const fin = (v: number | undefined) => v !== undefined && Number.isFinite(v);
  switch (p.kind) {
    case 'uniform':
    case 'loguniform':
      if (!fin(p.lower) || !fin(p.upper)) return `${p.kind} needs finite lower and upper`;
      if (!(p.lower! < p.upper!)) return `${p.kind}: lower must be below upper`;
      if (p.kind === 'loguniform' && !(p.lower! > 0)) return 'loguniform needs lower > 0';
      return null;
    case 'gaussian':
      if (!fin(p.mu) || !fin(p.sigma)) return 'gaussian needs finite mu and sigma';
      if (!(p.sigma! > 0)) return 'gaussian needs sigma > 0';
      return null;
    case 'truncgaussian':
      if (!fin(p.mu) || !fin(p.sigma)) return 'truncated gaussian needs finite mu and sigma';
      if (!(p.sigma! > 0)) return 'truncated gaussian needs sigma > 0';
      if (p.lower !== undefined && p.upper !== undefined && !(p.lower < p.upper)) return 'truncated gaussian: lower must be below upper';
      return null;
    default:
      return `unknown prior kind ${String((p as { kind: unknown }).kind)}`;
  }
}

/** Short text for the UI, e.g. "Gaussian(1, 0.2)". */
export function priorText(p: PriorDoc): string {
  switch (p.kind) {
    case 'uniform':
      return `Uniform(${p.lower}, ${p.upper})`;
    case 'loguniform':
      return `LogUniform(${p.lower}, ${p.upper})`;
    case 'gaussian':
      return `Gaussian(${p.mu}, ${p.sigma})`;
    case 'truncgaussian':
      return `TruncGaussian(${p.mu}, ${p.sigma}, ${p.lower ?? '-inf'}, ${p.upper ?? 'inf'})`;
  }
}
