/**
 * Generalized Cauchy point and subspace minimisation of L-BFGS-B
 * (Byrd, Lu, Nocedal & Zhu 1995, sections 4 and 5.1; projection step of Morales & Nocedal 2011).
 */
import { luFactor, luSolve } from '../linalg/lu';
import type { LbfgsMatrix } from './lbfgsb-matrix';

export interface CauchyResult {
  /** c = W^T (xcp - x), length 2k */
  c: Float64Array;
  /** free[i] = true when xcp_i is not held at a bound */
  free: Uint8Array;
}

/**
 * Minimises the quadratic model m(x + dx) = f + g.dx + dx.B dx / 2 along the projected
 * steepest-descent path P(x - t g), stopping at its first local minimiser (Algorithm CP).
 * Writes the Cauchy point into xcp.
 */
export function cauchyPoint(
  x: Float64Array,
  g: Float64Array,
  lower: Float64Array,
  upper: Float64Array,
  bm: LbfgsMatrix,
  xcp: Float64Array,
): CauchyResult {
  const n = x.length;
  const k2 = 2 * bm.k;
  const theta = bm.theta;
  const tbreak = new Float64Array(n);
  const d = new Float64Array(n);
  const free = new Uint8Array(n);
  const idx: number[] = [];
  let fp = 0;
  for (let i = 0; i < n; i++) {
    xcp[i] = x[i];
    const gi = g[i];
    let t: number;
    if (gi < 0) t = upper[i] === Infinity ? Infinity : (x[i] - upper[i]) / gi;
    else if (gi > 0) t = lower[i] === -Infinity ? Infinity : (x[i] - lower[i]) / gi;
    else t = Infinity;
    tbreak[i] = t;
    if (t === 0) d[i] = 0;
    else {
      d[i] = -gi;
      fp -= gi * gi;
      if (t < Infinity) idx.push(i);
    }
  }
  idx.sort((a, b) => tbreak[a] - tbreak[b]);
  const p = new Float64Array(k2);
  const c = new Float64Array(k2);
  const wb = new Float64Array(k2);
  const mp = new Float64Array(k2);
  const mc = new Float64Array(k2);
  const mw = new Float64Array(k2);
  bm.wtv(d, p);
  bm.mv(p, mp);
  let pmp = 0;
  for (let j = 0; j < k2; j++) pmp += p[j] * mp[j];
  let fpp = -theta * fp - pmp;
  const fppMin = 2.220446049250313e-16 * Math.abs(fpp);
  let dtMin = fpp > 0 ? -fp / fpp : Infinity;
  let told = 0;
  let ptr = 0;
  let reachedAll = false;
  // walk the breakpoints until the minimiser lies inside the current segment
  for (;;) {
    if (fp >= 0) {
      dtMin = 0;
      break;
    }
    if (ptr >= idx.length) {
      reachedAll = true;
      break;
    }
    const b = idx[ptr];
    const t = tbreak[b];
    const dt = t - told;
    if (dtMin < dt) break;
    ptr++;
    // move to the breakpoint; variable b becomes fixed at its bound
    const xb = d[b] > 0 ? upper[b] : lower[b];
    const zb = xb - x[b];
    xcp[b] = xb;
    for (let j = 0; j < k2; j++) c[j] += dt * p[j];
    const gb = g[b];
    bm.wRow(b, wb);
    bm.mv(c, mc);
    bm.mv(p, mp);
    bm.mv(wb, mw);
    let wMc = 0;
    let wMp = 0;
    let wMw = 0;
    for (let j = 0; j < k2; j++) {
      wMc += wb[j] * mc[j];
      wMp += wb[j] * mp[j];
      wMw += wb[j] * mw[j];
    }
    fp += dt * fpp + gb * gb + theta * gb * zb - gb * wMc;
    fpp += -theta * gb * gb - 2 * gb * wMp - gb * gb * wMw;
    fpp = Math.max(fpp, fppMin);
    for (let j = 0; j < k2; j++) p[j] += gb * wb[j];
    d[b] = 0;
    dtMin = fpp > 0 ? -fp / fpp : Infinity;
    told = t;
  }
  if (!reachedAll || Number.isFinite(dtMin)) {
    dtMin = Math.max(dtMin, 0);
    if (!Number.isFinite(dtMin)) dtMin = 0;
    const tfin = told + dtMin;
    for (let i = 0; i < n; i++) {
      if (d[i] !== 0) xcp[i] = x[i] + tfin * d[i];
    }
    for (let j = 0; j < k2; j++) c[j] += dtMin * p[j];
  }
  for (let i = 0; i < n; i++) {
    xcp[i] = Math.min(upper[i], Math.max(lower[i], xcp[i]));
    free[i] = d[i] !== 0 || (xcp[i] > lower[i] && xcp[i] < upper[i] && tbreak[i] !== 0) ? 1 : 0;
  }
  return { c, free };
}

/**
 * Direct primal subspace minimisation: minimises the model over the variables free at the
 * Cauchy point, then projects (Morales & Nocedal 2011) or, if that is not a descent direction,
 * truncates onto the box. Writes the result into xbar.
 */
export function subspaceMinimize(
  x: Float64Array,
  g: Float64Array,
  lower: Float64Array,
  upper: Float64Array,
  bm: LbfgsMatrix,
  xcp: Float64Array,
  cp: CauchyResult,
  xbar: Float64Array,
): void {
  const n = x.length;
  const k = bm.k;
  const k2 = 2 * k;
  const theta = bm.theta;
  const freeIdx: number[] = [];
  for (let i = 0; i < n; i++) if (cp.free[i]) freeIdx.push(i);
  xbar.set(xcp);
  const nf = freeIdx.length;
  if (nf === 0) return;
  // reduced gradient r = Z^T (g + theta (xcp - x) - W M c)
  const mc = new Float64Array(k2);
  bm.mv(cp.c, mc);
  const wrow = new Float64Array(k2);
  const r = new Float64Array(nf);
  const zw = new Float64Array(nf * k2); // Z^T W, row-major nf x 2k
  for (let a = 0; a < nf; a++) {
    const i = freeIdx[a];
    bm.wRow(i, wrow);
    let wmc = 0;
    for (let j = 0; j < k2; j++) {
      zw[a * k2 + j] = wrow[j];
      wmc += wrow[j] * mc[j];
    }
    r[a] = g[i] + theta * (xcp[i] - x[i]) - wmc;
  }
  const du = new Float64Array(nf);
  for (let a = 0; a < nf; a++) du[a] = -r[a] / theta;
  if (k > 0) {
    // d = -(1/theta) r - (1/theta^2) Z^T W (I - (1/theta) M W^T Z Z^T W)^-1 M W^T Z r
    const v = new Float64Array(k2);
    for (let a = 0; a < nf; a++) for (let j = 0; j < k2; j++) v[j] += zw[a * k2 + j] * r[a];
    const mv = new Float64Array(k2);
    bm.mv(v, mv);
    const wzzw = new Float64Array(k2 * k2);
    for (let a = 0; a < nf; a++) {
      for (let i = 0; i < k2; i++) {
        const zi = zw[a * k2 + i];
        if (zi === 0) continue;
        for (let j = 0; j < k2; j++) wzzw[i * k2 + j] += zi * zw[a * k2 + j];
      }
    }
    const nmat = new Float64Array(k2 * k2);
    const col = new Float64Array(k2);
    for (let j = 0; j < k2; j++) {
      for (let i = 0; i < k2; i++) col[i] = wzzw[i * k2 + j];
      const out = new Float64Array(k2);
      bm.mv(col, out);
      for (let i = 0; i < k2; i++) nmat[i * k2 + j] = (i === j ? 1 : 0) - out[i] / theta;
    }
    const piv = new Int32Array(k2);
    if (luFactor(k2, nmat, piv)) {
      luSolve(k2, nmat, piv, mv, new Float64Array(k2));
      for (let a = 0; a < nf; a++) {
        let t = 0;
        for (let j = 0; j < k2; j++) t += zw[a * k2 + j] * mv[j];
        du[a] -= t / (theta * theta);
      }
    }
  }
  // projected candidate
  let gd = 0;
  for (let a = 0; a < nf; a++) {
    const i = freeIdx[a];
    xbar[i] = Math.min(upper[i], Math.max(lower[i], xcp[i] + du[a]));
  }
  for (let i = 0; i < n; i++) gd += g[i] * (xbar[i] - x[i]);
  if (gd < 0) return;
  // otherwise truncate the unprojected step at the box
  let alpha = 1;
  for (let a = 0; a < nf; a++) {
    const i = freeIdx[a];
    if (du[a] > 0 && upper[i] < Infinity) alpha = Math.min(alpha, (upper[i] - xcp[i]) / du[a]);
    else if (du[a] < 0 && lower[i] > -Infinity) alpha = Math.min(alpha, (lower[i] - xcp[i]) / du[a]);
  }
  alpha = Math.max(0, alpha);
  for (let a = 0; a < nf; a++) {
    const i = freeIdx[a];
    xbar[i] = Math.min(upper[i], Math.max(lower[i], xcp[i] + alpha * du[a]));
  }
}
