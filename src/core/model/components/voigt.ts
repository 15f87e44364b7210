/**
 * Voigt (HyperSpy `Voigt`): the convolution of a Gaussian (sigma) and a Lorentzian (gamma = HWHM)
 * of unit area, times `area`:
 *   f = area Re[w(z)] / (sigma sqrt(2 pi)),   z = ((x - centre) + i gamma) / (sigma sqrt(2)),
 * w the Faddeeva function. Derivatives from w'(z) = -2 z w(z) + 2 i / sqrt(pi).
 *
 * Far from the Gaussian core (|z| >= 30, gamma >= 0: small sigma, or far tails) the asymptotic
 * series w(z) = i / (sqrt(pi) z) sum_k (2k-1)!! / (2 z^2)^k is used in a form where sigma only
 * appears as sigma^2 / (x - centre + i gamma)^2. There w' from the identity above would lose
 * ~|z|^2 ulps to cancellation, and 1/sigma factors would overflow as sigma -> 0; the series form
 * tends smoothly to the Lorentzian (sigma = 0 gives exactly the Lorentzian when x != centre or gamma > 0).
 * With |z|^2 >= 900 the first omitted terms are below 1e-18 (value) and 3e-16 (derivative).
 */
import type { ComponentType, GuessInput } from '../component-type';
import { faddeevaWithDerivative } from '../../special/faddeeva';
import { faddeevaRationalWithDerivative } from '../../special/faddeeva-rational';
import { estimateMix, estimatePeak, FWHM_PER_SIGMA } from './guess-helpers';

const INV_PI = 1 / Math.PI;
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);
/** |z|^2 from which the asymptotic series is used */
const R2_SERIES = 900;

/** scratch for faddeevaWithDerivative: [Re w, Im w, Re w', Im w'] */
const W = new Float64Array(4);

export const voigt: ComponentType = {
  type: 'Voigt',
  dims: 1,
  formula: 'area Re[w(z)] / (sigma sqrt(2 pi)),  z = (x - centre + i gamma) / (sigma sqrt(2)),  w: Faddeeva function',
  peak: true,
  params: () => [
    { name: 'area', value: 1, lower: null, upper: null, description: 'area under the peak' },
    { name: 'centre', value: 0, lower: null, upper: null, description: 'peak position' },
    { name: 'sigma', value: 1, lower: 0, upper: null, description: 'Gaussian standard deviation' },
    { name: 'gamma', value: 1, lower: 0, upper: null, description: 'Lorentzian half width at half maximum' },
  ],
  evaluate(p, coords, out, jac, n) {
    const x = coords.x;
    const area = p[0];
    const centre = p[1];
    const sigma = p[2];
    const gamma = p[3];
    const s2 = sigma * sigma;
    const k = 1 / (sigma * Math.SQRT2); // z = (u + i gamma) k
    const norm = INV_SQRT_2PI / sigma;
    const C = area * norm;
    const invSigma = 1 / sigma;
    const seriesOk = gamma >= 0 && sigma >= 0;
    const dMin = 2 * R2_SERIES * s2; // |u + i gamma|^2 above which |z|^2 > R2_SERIES
    const aPi = area * INV_PI;
    const g2 = gamma * gamma;
    const hasJac = jac !== null;
    const jArea = hasJac ? jac[0] : out;
    const jCentre = hasJac ? jac[1] : out;
    const jSigma = hasJac ? jac[2] : out;
    const jGamma = hasJac ? jac[3] : out;
    for (let i = 0; i < n; i++) {
      const u = x[i] - centre;
      const D = u * u + g2;
      if (seriesOk && D > dMin) {
        // t = 1 / (u + i gamma), m = sigma^2 t^2
        const invD = 1 / D;
        const tr = u * invD;
        const ti = -gamma * invD;
        const t2r = tr * tr - ti * ti;
        const t2i = 2 * tr * ti;
        const mr = s2 * t2r;
        const mi = s2 * t2i;
        // S(m) = 1 + m + 3 m^2 + 15 m^3 + 105 m^4 + 945 m^5 + 10395 m^6 + 135135 m^7 (Horner)
        let Sr = 135135;
        let Si = 0;
        let tmp: number;
        tmp = Sr * mr - Si * mi + 10395; Si = Sr * mi + Si * mr; Sr = tmp;
        tmp = Sr * mr - Si * mi + 945; Si = Sr * mi + Si * mr; Sr = tmp;
        tmp = Sr * mr - Si * mi + 105; Si = Sr * mi + Si * mr; Sr = tmp;
        tmp = Sr * mr - Si * mi + 15; Si = Sr * mi + Si * mr; Sr = tmp;
        tmp = Sr * mr - Si * mi + 3; Si = Sr * mi + Si * mr; Sr = tmp;
        tmp = Sr * mr - Si * mi + 1; Si = Sr * mi + Si * mr; Sr = tmp;
        tmp = Sr * mr - Si * mi + 1; Si = Sr * mi + Si * mr; Sr = tmp;
        // g = t S; f = -(area / pi) Im g
        const gi = tr * Si + ti * Sr;
        out[i] = -aPi * gi;
        if (!hasJac) continue;
        // S'(m) = 1 + 6 m + 45 m^2 + 420 m^3 + 4725 m^4 + 62370 m^5 + 945945 m^6
        let Pr = 945945;
        let Pi = 0;
        tmp = Pr * mr - Pi * mi + 62370; Pi = Pr * mi + Pi * mr; Pr = tmp;
        tmp = Pr * mr - Pi * mi + 4725; Pi = Pr * mi + Pi * mr; Pr = tmp;
        tmp = Pr * mr - Pi * mi + 420; Pi = Pr * mi + Pi * mr; Pr = tmp;
        tmp = Pr * mr - Pi * mi + 45; Pi = Pr * mi + Pi * mr; Pr = tmp;
        tmp = Pr * mr - Pi * mi + 6; Pi = Pr * mi + Pi * mr; Pr = tmp;
        tmp = Pr * mr - Pi * mi + 1; Pi = Pr * mi + Pi * mr; Pr = tmp;
        // dg/dzeta = -t^2 (S + 2 m S')
        const qr = Sr + 2 * (mr * Pr - mi * Pi);
        const qi = Si + 2 * (mr * Pi + mi * Pr);
        const dr = -(t2r * qr - t2i * qi);
        const di = -(t2r * qi + t2i * qr);
        // dg/dsigma = 2 sigma t^3 S'
        const t3r = t2r * tr - t2i * ti;
        const t3i = t2r * ti + t2i * tr;
        const dsi = 2 * sigma * (t3r * Pi + t3i * Pr);
        jArea[i] = -INV_PI * gi;
        jCentre[i] = aPi * di; // d zeta / d centre = -1
        jGamma[i] = -aPi * dr; // d zeta / d gamma = i
        jSigma[i] = -aPi * dsi;
        continue;
      }
      const zr = u * k;
      const zi = gamma * k;
      // Weideman's rational form (3x faster) where Re w keeps <= ~1e-10 relative accuracy: it has
      // ~2e-13 |w| absolute error, and near the real axis far out Re w ~ exp(-x^2) << |w|
      if (zi >= 0.02 || (zi >= 0 && Math.abs(zr) < 3)) faddeevaRationalWithDerivative(zr, zi, W);
      else faddeevaWithDerivative(zr, zi, W);
      const wr = W[0];
      out[i] = C * wr;
      if (!hasJac) continue;
      const dr = W[2];
      const di = W[3];
      jArea[i] = norm * wr;
      jCentre[i] = -C * dr * k; // dz/dcentre = -k
      jGamma[i] = -C * di * k; // dz/dgamma = i k: Re(w' i k) = -Im(w') k
      jSigma[i] = -C * (dr * zr - di * zi + wr) * invSigma; // dz/dsigma = -z / sigma
    }
  },
  /**
   * centre and FWHM from the highest peak; the Lorentzian share of the width from its shape
   * (height x width / area, as a pseudo-Voigt eta), split with the Olivero-Longbothum relation
   * fV = 0.5346 fL + sqrt(0.2166 fL^2 + fG^2) taking fL = eta fV.
   */
  guess({ x, y }: GuessInput) {
    const pk = estimatePeak(x, y);
    const mix = estimateMix(x, pk);
    const fV = pk.fwhm;
    const fL = mix.eta * fV;
    const rest = fV - 0.5346 * fL;
    const fG = Math.sqrt(Math.max(0, rest * rest - 0.2166 * fL * fL));
    return {
      area: mix.area,
      centre: pk.centre,
      sigma: Math.max(fG, 0.01 * fV) / FWHM_PER_SIGMA,
      gamma: fL / 2,
    };
  },
};
