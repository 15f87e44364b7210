/**
 * The joint log density of a hierarchical model (document.ts) with its analytic gradient, as a
 * LogDensity for the samplers of src/core/sample:
 *
 *   ln p = sum_h [ln p_t(t_h(x_h)) + ln|dt_h/dx_h|]                       hyperpriors (+ Jacobian)
 *        + sum_m sum_n ln pop_m(x_mn | mu_m, sigma_m)                      populations
 *        + sum_o sum_n [-(y_on - f_o(x_n))^2 / (2 s_on^2) - ln s_on - ln sqrt(2 pi)]   observations
 *
 * Populations (per member, d = x - mu, N members):
 *   normal       -ln sigma - ln sqrt(2 pi) - d^2 / (2 sigma^2)
 *   truncnormal  the same - ln Z, Z = Phi(beta) - Phi(alpha), alpha = (a - mu)/sigma, beta = (b - mu)/sigma,
 *                d ln Z / d mu = (phi(alpha) - phi(beta)) / (sigma Z),
 *                d ln Z / d sigma = (alpha phi(alpha) - beta phi(beta)) / (sigma Z)
 *                (terms with an infinite bound vanish; phi/Z is formed as exp(-t^2/2 - ln sqrt(2 pi) - ln Z)
 *                so it stays finite far in a tail; ln Z from priors.ts logNormalInterval)
 *   lognormal    -ln x - ln sigma - ln sqrt(2 pi) - (ln x - mu)^2 / (2 sigma^2)
 * ln Z and its derivatives are computed once per member group, the rest in plain Float64Array loops.
 *
 * Non-centred members (Papaspiliopoulos, Roberts & Skold 2007; Betancourt & Girolami 2013): the
 * sampler moves z ~ N(0, 1) (term -z^2/2 - ln sqrt(2 pi)) and x = mu + sigma z (lognormal:
 * x = exp(mu + sigma z)); the observation gradient g_x is chained to z (g_x dx/dz), mu and sigma.
 * Their keys are `<member>.z[n]`; toNatural / naturalResult give the draws of x as `<member>[n]`.
 *
 * Observation gradients: d f / d v per point by the expression compiler's vectorised Jacobian
 * applied to f(v + delta) with respect to a shift parameter delta at 0 (the formula's tape runs
 * once per block of members), d f / d hyper from the same Jacobian.
 */
import { compileExpression, parseExpression, formatExpression, type CompiledExpression, type ExprNode } from '../expr';
import type { LogDensity } from '../sample/log-density';
import type { ChainResult } from '../sample/types';
import { compilePrior, logNormalInterval, type CompiledPrior } from '../stats/priors';
import {
  assertValidHierarchy,
  hyperSupport,
  hyperTransformForward,
  memberSupport,
  MEMBER_VARIABLE,
  OBSERVATION_SHIFT,
  sigmaHypers,
  type HierarchyDoc,
  type HyperTransform,
  type PopulationKind,
} from './document';

const LN_SQRT_2PI = 0.9189385332046728;
const LN_LN10 = Math.log(Math.LN10);
const SHIFT = OBSERVATION_SHIFT;

interface HyperTerm {
  name: string;
  index: number;
  lower: number;
  upper: number;
  prior: CompiledPrior | null;
  transform: HyperTransform;
  scale: number;
}

interface MemberTerm {
  name: string;
  count: number;
  /** first index in theta */
  offset: number;
  kind: PopulationKind;
  noncentered: boolean;
  /** theta index of mu / sigma, or -1 when fixed */
  muIndex: number;
  muFixed: number;
  sigmaIndex: number;
  sigmaFixed: number;
  /** truncation / support bounds of the natural values */
  lower: number;
  upper: number;
  /** natural values x_n of the current point */
  x: Float64Array;
  /** d ln p / d x_n from the observations */
  gx: Float64Array;
}

interface ObservationTerm {
  member: MemberTerm;
  expr: CompiledExpression;
  /** per expression parameter: theta index, or -1 for the shift */
  paramIndex: Int32Array;
  shiftPos: number;
  /** observed member positions */
  idx: Int32Array;
  y: Float64Array;
  invVar: Float64Array;
  /** sum of -ln s - ln sqrt(2 pi) */
  constant: number;
  v: Float64Array;
  f: Float64Array;
  jac: Float64Array[];
  p: Float64Array;
  vars: Record<string, Float64Array>;
}

export interface HierarchicalDensity extends LogDensity {
  /** hyperparameter names, in theta order (theta[0..nHyper)) */
  hyperNames: string[];
  /** keys of the natural parameters: hyperparameters, then `<member>[n]` */
  naturalKeys: string[];
  /** theta index of the first value of each member group */
  memberOffsets: Record<string, number>;
  /** natural values (x of non-centred members) of a point of the sampler's space */
  toNatural(theta: ArrayLike<number>, out: Float64Array): Float64Array;
  /** the sampler's point of natural values (inverse of toNatural) */
  fromNatural(x: ArrayLike<number>, out: Float64Array): Float64Array;
  /** hyperparameter values and member start values (or population centres), sampler's space */
  startPoint(): Float64Array;
  /** a chain result with draws and keys carried to the natural parameters */
  naturalResult<T extends ChainResult>(r: T): T;
}

/** z -> x of a non-centred member */
function ncForward(kind: PopulationKind, mu: number, sigma: number, z: number): number {
  return kind === 'lognormal' ? Math.exp(mu + sigma * z) : mu + sigma * z;
}

function ncInverse(kind: PopulationKind, mu: number, sigma: number, x: number): number {
  return kind === 'lognormal' ? (Math.log(x) - mu) / sigma : (x - mu) / sigma;
}

/** The shifted formula f(v + SHIFT): its Jacobian column for SHIFT at 0 is df/dv per point. */
function shiftedExpression(text: string): CompiledExpression {
  const shift = (node: ExprNode): ExprNode => {
    switch (node.type) {
      case 'symbol':
        return node.name === MEMBER_VARIABLE ? { type: 'binary', op: '+', left: { type: 'symbol', name: MEMBER_VARIABLE }, right: { type: 'symbol', name: SHIFT } } : node;
      case 'neg':
        return { type: 'neg', arg: shift(node.arg) };
      case 'call':
        return { type: 'call', fn: node.fn, arg: shift(node.arg) };
      case 'binary':
        return { type: 'binary', op: node.op, left: shift(node.left), right: shift(node.right) };
      default:
        return node;
    }
  };
  return compileExpression(formatExpression(shift(parseExpression(text))), { variables: [MEMBER_VARIABLE] });
}

/** Builds the log density of a hierarchical model; throws HierarchyError on an invalid document. */
export function hierarchicalLogDensity(doc: HierarchyDoc): HierarchicalDensity {
  assertValidHierarchy(doc);
  const hyperNames = Object.keys(doc.hyper);
  const nh = hyperNames.length;
  const positive = sigmaHypers(doc);
  const hyperIndex = new Map(hyperNames.map((h, i) => [h, i]));
  const hypers: HyperTerm[] = hyperNames.map((name, index) => {
    const h = doc.hyper[name];
    const [lower, upper] = hyperSupport(name, h, positive.has(name));
    const transform = h.prior?.transform ?? 'none';
    const scale = h.prior?.scale ?? 1;
    const prior = h.prior ? compilePrior(h.prior, hyperTransformForward(transform, scale, lower), hyperTransformForward(transform, scale, upper)) : null;
    return { name, index, lower, upper, prior, transform, scale };
  });

  const keys = [...hyperNames];
  const naturalKeys = [...hyperNames];
  const lowerArr: number[] = hypers.map((h) => h.lower);
  const upperArr: number[] = hypers.map((h) => h.upper);
  const memberOffsets: Record<string, number> = {};
  const members: MemberTerm[] = doc.members.map((m) => {
    const p = m.population;
    const [lower, upper] = memberSupport(p);
    const noncentered = (m.parameterization ?? 'centered') === 'noncentered';
    const offset = keys.length;
    memberOffsets[m.name] = offset;
    for (let i = 0; i < m.count; i++) {
      keys.push(noncentered ? `${m.name}.z[${i}]` : `${m.name}[${i}]`);
      naturalKeys.push(`${m.name}[${i}]`);
      lowerArr.push(noncentered ? -Infinity : lower);
      upperArr.push(noncentered ? Infinity : upper);
    }
    const ref = (r: string | number): [number, number] => (typeof r === 'string' ? [hyperIndex.get(r)!, NaN] : [-1, r]);
    const [muIndex, muFixed] = ref(p.mu);
    const [sigmaIndex, sigmaFixed] = ref(p.sigma);
    return {
      name: m.name,
      count: m.count,
      offset,
      kind: p.kind,
      noncentered,
      muIndex,
      muFixed,
      sigmaIndex,
      sigmaFixed,
      lower,
      upper,
      x: new Float64Array(m.count),
      gx: new Float64Array(m.count),
    };
  });
  const n = keys.length;
  const memberByName = new Map(members.map((m) => [m.name, m]));

  const observations: ObservationTerm[] = doc.observations.map((o) => {
    const member = memberByName.get(o.member)!;
    const expr = shiftedExpression(o.expr);
    const paramIndex = Int32Array.from(expr.parameters, (s) => (s === SHIFT ? -1 : hyperIndex.get(s)!));
    const shiftPos = expr.parameters.indexOf(SHIFT);
    const pos: number[] = [];
    o.values.forEach((y, k) => {
      if (y !== null) pos.push(k);
    });
    const m = pos.length;
    const idx = Int32Array.from(pos);
    const y = Float64Array.from(pos, (k) => o.values[k] as number);
    const invVar = Float64Array.from(pos, (k) => {
      const s = typeof o.sigmas === 'number' ? o.sigmas : o.sigmas[k];
      return 1 / (s * s);
    });
    let constant = 0;
    for (let k = 0; k < m; k++) constant += 0.5 * Math.log(invVar[k]) - LN_SQRT_2PI;
    const v = new Float64Array(m);
    return {
      member,
      expr,
      paramIndex,
      shiftPos,
      idx,
      y,
      invVar,
      constant,
      v,
      f: new Float64Array(m),
      jac: expr.parameters.map(() => new Float64Array(m)),
      p: new Float64Array(expr.parameters.length),
      vars: { [MEMBER_VARIABLE]: v },
    };
  });

  const lower = Float64Array.from(lowerArr);
  const upper = Float64Array.from(upperArr);

  const muOf = (m: MemberTerm, th: ArrayLike<number>): number => (m.muIndex >= 0 ? th[m.muIndex] : m.muFixed);
  const sigmaOf = (m: MemberTerm, th: ArrayLike<number>): number => (m.sigmaIndex >= 0 ? th[m.sigmaIndex] : m.sigmaFixed);

  function evaluate(th: Float64Array, g: Float64Array | null): number {
    if (g) g.fill(0);
    let lp = 0;
    // hyperpriors, with the Jacobian of a transformed prior: t = ln(x/s): ln|dt/dx| = -ln x;
    // t = log10(x/s): ln|dt/dx| = -ln x - ln ln 10
    for (let k = 0; k < nh; k++) {
      const h = hypers[k];
      const x = th[k];
      if (!(x >= h.lower && x <= h.upper)) return -Infinity;
      if (!h.prior) continue;
      if (h.transform === 'none') {
        lp += h.prior.logDensity(x);
        if (g) g[k] += h.prior.derivative(x);
      } else {
        const t = hyperTransformForward(h.transform, h.scale, x);
        lp += h.prior.logDensity(t) - Math.log(x) - (h.transform === 'log10' ? LN_LN10 : 0);
        if (g) g[k] += h.prior.derivative(t) / (h.transform === 'log10' ? x * Math.LN10 : x) - 1 / x;
      }
    }
    if (!(lp > -Infinity)) return -Infinity;
    // natural values of the members
    for (const m of members) {
      const x = m.x;
      const off = m.offset;
      const cnt = m.count;
      if (m.noncentered) {
        const mu = muOf(m, th);
        const s = sigmaOf(m, th);
        if (!(s > 0)) return -Infinity;
        if (m.kind === 'lognormal') for (let i = 0; i < cnt; i++) x[i] = Math.exp(mu + s * th[off + i]);
        else for (let i = 0; i < cnt; i++) x[i] = mu + s * th[off + i];
      } else {
        const lo = m.lower;
        const hi = m.upper;
        for (let i = 0; i < cnt; i++) {
          const xi = th[off + i];
          if (!(xi >= lo && xi <= hi)) return -Infinity;
          x[i] = xi;
        }
      }
      if (g) m.gx.fill(0);
    }
    // observations
    for (const o of observations) {
      const x = o.member.x;
      const idx = o.idx;
      const cnt = idx.length;
      const v = o.v;
      for (let k = 0; k < cnt; k++) v[k] = x[idx[k]];
      const pi = o.paramIndex;
      for (let j = 0; j < pi.length; j++) o.p[j] = pi[j] < 0 ? 0 : th[pi[j]];
      o.expr.evaluate(o.vars, o.p, o.f, g ? o.jac : null, cnt);
      const f = o.f;
      const y = o.y;
      const iv = o.invVar;
      let chi2 = 0;
      if (!g) {
        for (let k = 0; k < cnt; k++) {
          const r = y[k] - f[k];
          chi2 += r * r * iv[k];
        }
      } else {
        const gx = o.member.gx;
        const dfdv = o.shiftPos >= 0 ? o.jac[o.shiftPos] : null;
        for (let k = 0; k < cnt; k++) {
          const r = y[k] - f[k];
          const w = r * iv[k];
          chi2 += r * w;
          // w is reused below for the hyperparameter columns
          f[k] = w;
          if (dfdv) gx[idx[k]] += w * dfdv[k];
        }
        for (let j = 0; j < pi.length; j++) {
          if (pi[j] < 0) continue;
          const col = o.jac[j];
          let s = 0;
          for (let k = 0; k < cnt; k++) s += f[k] * col[k];
          g[pi[j]] += s;
        }
      }
      if (!Number.isFinite(chi2)) return -Infinity;
      lp += o.constant - 0.5 * chi2;
    }
    // populations
    for (const m of members) {
      const mu = muOf(m, th);
      const s = sigmaOf(m, th);
      if (!(s > 0) || !Number.isFinite(mu)) return -Infinity;
      const cnt = m.count;
      const off = m.offset;
      const x = m.x;
      const gx = m.gx;
      const inv2 = 1 / (s * s);
      let gmu = 0;
      let gsig = 0;
      if (m.noncentered) {
        // z ~ N(0, 1); x = mu + s z (or exp of it); chain rule of the observation gradient
        let zz = 0;
        const lognormal = m.kind === 'lognormal';
        for (let i = 0; i < cnt; i++) {
          const z = th[off + i];
          zz += z * z;
          if (g) {
            const gxi = lognormal ? gx[i] * x[i] : gx[i];
            g[off + i] = -z + gxi * s;
            gmu += gxi;
            gsig += gxi * z;
          }
        }
        lp += -cnt * LN_SQRT_2PI - 0.5 * zz;
      } else if (m.kind === 'lognormal') {
        let sl = 0;
        let sd = 0;
        let sdd = 0;
        for (let i = 0; i < cnt; i++) {
          const xi = x[i];
          const l = Math.log(xi);
          const d = l - mu;
          sl += l;
          sd += d;
          sdd += d * d;
          if (g) g[off + i] = gx[i] - (1 + d * inv2) / xi;
        }
        lp += -sl - cnt * (Math.log(s) + LN_SQRT_2PI) - 0.5 * sdd * inv2;
        gmu = sd * inv2;
        gsig = -cnt / s + sdd * inv2 / s;
      } else {
        let sd = 0;
        let sdd = 0;
        for (let i = 0; i < cnt; i++) {
          const d = x[i] - mu;
          sd += d;
          sdd += d * d;
          if (g) g[off + i] = gx[i] - d * inv2;
        }
        lp += -cnt * (Math.log(s) + LN_SQRT_2PI) - 0.5 * sdd * inv2;
        gmu = sd * inv2;
        gsig = -cnt / s + sdd * inv2 / s;
        if (m.kind === 'truncnormal' && (Number.isFinite(m.lower) || Number.isFinite(m.upper))) {
          const alpha = (m.lower - mu) / s;
          const beta = (m.upper - mu) / s;
          const logZ = logNormalInterval(alpha, beta);
          if (!(logZ > -Infinity)) return -Infinity;
          lp -= cnt * logZ;
          // phi(t) / Z, and t phi(t) / Z, zero at an infinite bound
          const ra = Number.isFinite(alpha) ? Math.exp(-0.5 * alpha * alpha - LN_SQRT_2PI - logZ) : 0;
          const rb = Number.isFinite(beta) ? Math.exp(-0.5 * beta * beta - LN_SQRT_2PI - logZ) : 0;
          const ta = Number.isFinite(alpha) ? alpha * ra : 0;
          const tb = Number.isFinite(beta) ? beta * rb : 0;
          gmu -= (cnt * (ra - rb)) / s;
          gsig -= (cnt * (ta - tb)) / s;
        }
      }
      if (g) {
        if (m.muIndex >= 0) g[m.muIndex] += gmu;
        if (m.sigmaIndex >= 0) g[m.sigmaIndex] += gsig;
      }
    }
    return Number.isNaN(lp) ? -Infinity : lp;
  }

  const toNatural = (theta: ArrayLike<number>, out: Float64Array): Float64Array => {
    for (let k = 0; k < nh; k++) out[k] = theta[k];
    for (const m of members) {
      const off = m.offset;
      if (m.noncentered) {
        const mu = muOf(m, theta);
        const s = sigmaOf(m, theta);
        for (let i = 0; i < m.count; i++) out[off + i] = ncForward(m.kind, mu, s, theta[off + i]);
      } else for (let i = 0; i < m.count; i++) out[off + i] = theta[off + i];
    }
    return out;
  };

  const fromNatural = (x: ArrayLike<number>, out: Float64Array): Float64Array => {
    for (let k = 0; k < nh; k++) out[k] = x[k];
    for (const m of members) {
      const off = m.offset;
      if (m.noncentered) {
        const mu = muOf(m, x);
        const s = sigmaOf(m, x);
        for (let i = 0; i < m.count; i++) out[off + i] = ncInverse(m.kind, mu, s, x[off + i]);
      } else for (let i = 0; i < m.count; i++) out[off + i] = x[off + i];
    }
    return out;
  };

  const startPoint = (): Float64Array => {
    const x = new Float64Array(n);
    for (let k = 0; k < nh; k++) x[k] = doc.hyper[hyperNames[k]].value;
    doc.members.forEach((md, j) => {
      const m = members[j];
      const mu = muOf(m, x);
      const s = sigmaOf(m, x);
      let centre = m.kind === 'lognormal' ? Math.exp(mu) : mu;
      if (!(centre > m.lower && centre < m.upper)) {
        if (Number.isFinite(m.lower) && Number.isFinite(m.upper)) centre = 0.5 * (m.lower + m.upper);
        else centre = Number.isFinite(m.lower) ? m.lower + s : m.upper - s;
      }
      for (let i = 0; i < m.count; i++) x[m.offset + i] = md.start ? md.start[i] : centre;
    });
    return fromNatural(x, new Float64Array(n));
  };

  function naturalResult<T extends ChainResult>(r: T): T {
    if (!members.some((m) => m.noncentered)) return { ...r, keys: [...naturalKeys] };
    const draws = new Float64Array(r.draws.length);
    const rows = Math.floor(r.draws.length / n);
    for (let i = 0; i < rows; i++) toNatural(r.draws.subarray(i * n, (i + 1) * n), draws.subarray(i * n, (i + 1) * n));
    return { ...r, keys: [...naturalKeys], draws };
  }

  return {
    n,
    keys,
    lower,
    upper,
    hyperNames,
    naturalKeys,
    memberOffsets,
    logDensity: (theta) => evaluate(theta, null),
    logDensityAndGradient: (theta, g) => evaluate(theta, g),
    toNatural,
    fromNatural,
    startPoint,
    naturalResult,
  };
}
