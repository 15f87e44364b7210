/**
 * Singular value decomposition by one-sided Jacobi rotations (Hestenes 1958; accuracy
 * analysis Demmel & Veselić 1992: high relative accuracy for matrices that are well
 * conditioned after column scaling). Meant for the small n x n factors used in covariance.
 */

const EPS = 2.220446049250313e-16;

/**
 * a: column-major m x n (m >= n), overwritten (its columns become U S).
 * s: singular values, descending. v: column-major n x n right singular vectors (v[i + j*n] = V(i, j)).
 */
export function jacobiSvd(m: number, n: number, a: Float64Array, s: Float64Array, v: Float64Array): void {
  v.fill(0);
  for (let j = 0; j < n; j++) v[j + j * n] = 1;
  for (let sweep = 0; sweep < 80; sweep++) {
    let rotated = false;
    for (let p = 0; p < n - 1; p++) {
      const op = p * m;
      for (let q = p + 1; q < n; q++) {
        const oq = q * m;
        let alpha = 0;
        let beta = 0;
        let gamma = 0;
        for (let i = 0; i < m; i++) {
          const x = a[op + i];
          const y = a[oq + i];
          alpha += x * x;
          beta += y * y;
          gamma += x * y;
        }
        if (gamma === 0 || Math.abs(gamma) <= EPS * Math.sqrt(alpha * beta)) continue;
        rotated = true;
        const zeta = (beta - alpha) / (2 * gamma);
        const t = (zeta >= 0 ? 1 : -1) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
        const c = 1 / Math.sqrt(1 + t * t);
        const sn = c * t;
        for (let i = 0; i < m; i++) {
          const x = a[op + i];
          const y = a[oq + i];
          a[op + i] = c * x - sn * y;
          a[oq + i] = sn * x + c * y;
        }
        const vp = p * n;
        const vq = q * n;
        for (let i = 0; i < n; i++) {
          const x = v[vp + i];
          const y = v[vq + i];
          v[vp + i] = c * x - sn * y;
          v[vq + i] = sn * x + c * y;
        }
      }
    }
    if (!rotated) break;
  }
  for (let j = 0; j < n; j++) {
    let ss = 0;
    for (let i = 0; i < m; i++) ss += a[j * m + i] * a[j * m + i];
    s[j] = Math.sqrt(ss);
  }
  // sort descending (selection sort, n is small), permuting the columns of a and v alike
  for (let j = 0; j < n - 1; j++) {
    let k = j;
    for (let i = j + 1; i < n; i++) if (s[i] > s[k]) k = i;
    if (k !== j) {
      const ts = s[j];
      s[j] = s[k];
      s[k] = ts;
      for (let i = 0; i < m; i++) {
        const t = a[j * m + i];
        a[j * m + i] = a[k * m + i];
        a[k * m + i] = t;
      }
      for (let i = 0; i < n; i++) {
        const t = v[j * n + i];
        v[j * n + i] = v[k * n + i];
        v[k * n + i] = t;
      }
    }
  }
}

/**
 * Eigen-decomposition of a symmetric n x n matrix by cyclic Jacobi rotations (Rutishauser 1971).
 * a: column-major symmetric, destroyed. w: eigenvalues, descending. v: eigenvectors as columns.
 */
export function symmetricEigen(n: number, a: Float64Array, w: Float64Array, v: Float64Array): void {
  v.fill(0);
  for (let j = 0; j < n; j++) v[j + j * n] = 1;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    let diag = 0;
    for (let j = 0; j < n; j++) {
      diag += a[j + j * n] * a[j + j * n];
      for (let i = 0; i < j; i++) off += a[i + j * n] * a[i + j * n];
    }
    if (off === 0 || off <= EPS * EPS * diag) break;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p + q * n];
        if (apq === 0) continue;
        const app = a[p + p * n];
        const aqq = a[q + q * n];
        const theta = (aqq - app) / (2 * apq);
        const t = (theta >= 0 ? 1 : -1) / (Math.abs(theta) + Math.sqrt(1 + theta * theta));
        const c = 1 / Math.sqrt(1 + t * t);
        const s = t * c;
        // A <- G^T A G with G the rotation in the (p, q) plane
        for (let k = 0; k < n; k++) {
          const akp = a[k + p * n];
          const akq = a[k + q * n];
          a[k + p * n] = c * akp - s * akq;
          a[k + q * n] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p + k * n];
          const aqk = a[q + k * n];
          a[p + k * n] = c * apk - s * aqk;
          a[q + k * n] = s * apk + c * aqk;
        }
        a[p + q * n] = 0;
        a[q + p * n] = 0;
        for (let k = 0; k < n; k++) {
          const vkp = v[k + p * n];
          const vkq = v[k + q * n];
          v[k + p * n] = c * vkp - s * vkq;
          v[k + q * n] = s * vkp + c * vkq;
        }
      }
    }
  }
  for (let j = 0; j < n; j++) w[j] = a[j + j * n];
  for (let j = 0; j < n - 1; j++) {
    let k = j;
    for (let i = j + 1; i < n; i++) if (w[i] > w[k]) k = i;
    if (k !== j) {
      const t = w[j];
      w[j] = w[k];
      w[k] = t;
      for (let i = 0; i < n; i++) {
        const tv = v[i + j * n];
        v[i + j * n] = v[i + k * n];
        v[i + k * n] = tv;
      }
    }
  }
}
