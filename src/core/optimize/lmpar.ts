/**
 * The Levenberg-Marquardt parameter: MINPACK lmpar (Moré 1978, "The Levenberg-Marquardt
 * algorithm: implementation and theory"). Given A P = Q R, D and Delta, finds par >= 0 such that
 * x solving (A^T A + par D^2) x = -A^T b (in least-squares form) has | ||D x|| - Delta | <= 0.1 Delta,
 * or par = 0 when the Gauss-Newton step already satisfies ||D x|| <= 1.1 Delta.
 */
import { enorm } from '../linalg/enorm';
import { qrsolv } from '../linalg/qrsolv';

const DWARF = 2.2250738585072014e-308;

export interface LmparWork {
  wa1: Float64Array;
  wa2: Float64Array;
  wa3: Float64Array;
  wa4: Float64Array;
  sdiag: Float64Array;
}

export function makeLmparWork(n: number): LmparWork {
  return {
    wa1: new Float64Array(n),
    wa2: new Float64Array(n),
    wa3: new Float64Array(n),
    wa4: new Float64Array(n),
    sdiag: new Float64Array(n),
  };
}

/**
 * r: column-major n x n (upper triangle = R; strict lower triangle used as workspace),
 * qtb: first n components of Q^T b. Writes the step (sign: solves A x ~ b, the caller negates)
 * into x and returns the new par.
 */
export function lmpar(
  n: number,
  r: Float64Array,
  ipvt: Int32Array,
  diag: Float64Array,
  qtb: Float64Array,
  delta: number,
  par: number,
  x: Float64Array,
  w: LmparWork,
): number {
  const { wa1, wa2, sdiag } = w;
  // Gauss-Newton direction (least-squares solution if rank-deficient)
  let nsing = n;
  for (let j = 0; j < n; j++) {
    wa1[j] = qtb[j];
    if (r[j + j * n] === 0 && nsing === n) nsing = j;
    if (nsing < n) wa1[j] = 0;
  }
  for (let k = nsing - 1; k >= 0; k--) {
    const ok = k * n;
    wa1[k] /= r[k + ok];
    const temp = wa1[k];
    for (let i = 0; i < k; i++) wa1[i] -= r[i + ok] * temp;
  }
  for (let j = 0; j < n; j++) x[ipvt[j]] = wa1[j];

  let iter = 0;
  for (let j = 0; j < n; j++) wa2[j] = diag[j] * x[j];
  let dxnorm = enorm(n, wa2);
  let fp = dxnorm - delta;
  if (fp <= 0.1 * delta) return 0;

  // lower bound parl for the zero of phi (only when the Jacobian has full rank)
  let parl = 0;
  if (nsing >= n) {
    for (let j = 0; j < n; j++) {
      const l = ipvt[j];
      wa1[j] = diag[l] * (wa2[l] / dxnorm);
    }
    for (let j = 0; j < n; j++) {
      let sum = 0;
      const oj = j * n;
      for (let i = 0; i < j; i++) sum += r[i + oj] * wa1[i];
      wa1[j] = (wa1[j] - sum) / r[j + oj];
    }
    const temp = enorm(n, wa1);
    parl = fp / delta / temp / temp;
  }
  // upper bound paru
  for (let j = 0; j < n; j++) {
    let sum = 0;
    const oj = j * n;
    for (let i = 0; i <= j; i++) sum += r[i + oj] * qtb[i];
    wa1[j] = sum / diag[ipvt[j]];
  }
  const gnorm = enorm(n, wa1);
  let paru = gnorm / delta;
  if (paru === 0) paru = DWARF / Math.min(delta, 0.1);

  par = Math.max(par, parl);
  par = Math.min(par, paru);
  if (par === 0) par = gnorm / dxnorm;

  for (;;) {
    iter++;
    if (par === 0) par = Math.max(DWARF, 0.001 * paru);
    const sp = Math.sqrt(par);
    for (let j = 0; j < n; j++) wa1[j] = sp * diag[j];
    qrsolv(n, r, ipvt, wa1, qtb, x, sdiag, w.wa3);
    for (let j = 0; j < n; j++) wa2[j] = diag[j] * x[j];
    dxnorm = enorm(n, wa2);
    const temp = fp;
    fp = dxnorm - delta;
    // converged, or phi increasing from a negative start with parl = 0, or iteration limit
    if (Math.abs(fp) <= 0.1 * delta || (parl === 0 && fp <= temp && temp < 0) || iter === 10) break;
    // Newton correction
    for (let j = 0; j < n; j++) {
      const l = ipvt[j];
      wa1[j] = diag[l] * (wa2[l] / dxnorm);
    }
    for (let j = 0; j < n; j++) {
      wa1[j] /= sdiag[j];
      const t = wa1[j];
      const oj = j * n;
      for (let i = j + 1; i < n; i++) wa1[i] -= r[i + oj] * t;
    }
    const tn = enorm(n, wa1);
    const parc = fp / delta / tn / tn;
    if (fp > 0) parl = Math.max(parl, par);
    if (fp < 0) paru = Math.min(paru, par);
    par = Math.max(parl, par + parc);
  }
  return par;
}
