/**
 * Noise, mask and PSF of the active image: what it has now, files to set or replace them
 * (FITS or .npy, read by core/data/readers/image-files.ts), and a parametric PSF (Gaussian or
 * Moffat, core/image/psf.ts).
 */
import { useState } from 'react';
import type { Dataset } from '../../core/data/dataset';
import type { AuxRole } from '../../core/data/readers/image-files';
import { clearImagePlane, setImagePlaneFile, setParametricPsf } from '../../state/image-actions';
import { readFiles } from '../read-files';
import { parseNumber } from '../format';

const ROLES: { role: AuxRole; label: string; title: string }[] = [
  { role: 'variance', label: 'Variance file', title: 'sigma = sqrt(variance); same shape as the image' },
  { role: 'weight', label: 'Weight file', title: 'weight = 1 / variance; zero weight masks the pixel; same shape as the image' },
  { role: 'mask', label: 'Mask file', title: 'non-zero = pixel excluded from the fit; same shape as the image' },
  { role: 'psf', label: 'PSF file', title: 'square, odd side, centred; normalised to sum 1 on load' },
];

function numberOr(text: string, fallback: number | undefined): number | undefined {
  const v = parseNumber(text);
  return typeof v === 'number' && Number.isFinite(v) ? v : fallback;
}

export function ImageDataControls({ dataset }: { dataset: Dataset }) {
  const [kind, setKind] = useState<'gaussian' | 'moffat'>('gaussian');
  const [sigma, setSigma] = useState('2');
  const [n, setN] = useState('3');
  const [rd, setRd] = useState('3');
  const [size, setSize] = useState('21');
  const masked = dataset.mask ? dataset.mask.reduce((a, b) => a + b, 0) : 0;
  const noiseNote = dataset.notes?.find((t) => t.startsWith('sigma = '));
  return (
    <details className="image-data-controls" open>
      <summary>Noise, mask and PSF</summary>
      <ul className="image-planes" aria-label="Image planes">
        <li data-testid="image-noise">noise: {dataset.sigma ? (noiseNote ?? 'sigma given') : 'none (unit weights; errors scaled by the reduced chi-square)'}</li>
        <li data-testid="image-mask">
          mask: {masked} of {dataset.values.length} pixels excluded
        </li>
        <li data-testid="image-psf">PSF: {dataset.psf ? `${dataset.psf.size} × ${dataset.psf.size}, ${dataset.psf.source ?? ''}` : 'none (no convolution)'}</li>
      </ul>
      <div className="fit-row">
        {ROLES.map(({ role, label, title }) => (
          <label key={role} className="button secondary" title={title}>
            {label}
            <input
              type="file"
              aria-label={label}
              accept=".fits,.fit,.fts,.gz,.npy"
              onChange={async (e) => {
                const input = e.currentTarget;
                const files = input.files ? Array.from(input.files) : [];
                input.value = '';
                if (files.length > 0) setImagePlaneFile(role, (await readFiles(files.slice(0, 1)))[0]);
              }}
            />
          </label>
        ))}
      </div>
      <div className="fit-row">
        <button type="button" disabled={!dataset.sigma} onClick={() => clearImagePlane('noise')}>
          Remove noise map
        </button>
        <button type="button" disabled={!dataset.mask} onClick={() => clearImagePlane('mask')}>
          Remove mask
        </button>
        <button type="button" disabled={!dataset.psf} onClick={() => clearImagePlane('psf')}>
          Remove PSF
        </button>
      </div>
      <form
        className="fit-row psf-form"
        aria-label="Parametric PSF"
        onSubmit={(e) => {
          e.preventDefault();
          const s = numberOr(size, undefined);
          if (kind === 'gaussian') setParametricPsf({ kind, sigma: numberOr(sigma, NaN)!, size: s });
          else setParametricPsf({ kind, n: numberOr(n, NaN)!, Rd: numberOr(rd, NaN)!, size: s });
        }}
      >
        <span>Parametric PSF</span>
        <select aria-label="PSF kind" value={kind} onChange={(e) => setKind(e.currentTarget.value as 'gaussian' | 'moffat')}>
          <option value="gaussian">Gaussian</option>
          <option value="moffat">Moffat</option>
        </select>
        {kind === 'gaussian' ? (
          <label>
            sigma <input className="psf-num" aria-label="PSF sigma" value={sigma} onChange={(e) => setSigma(e.currentTarget.value)} />
          </label>
        ) : (
          <>
            <label>
              n <input className="psf-num" aria-label="PSF n" value={n} onChange={(e) => setN(e.currentTarget.value)} />
            </label>
            <label>
              Rd <input className="psf-num" aria-label="PSF Rd" value={rd} onChange={(e) => setRd(e.currentTarget.value)} />
            </label>
          </>
        )}
        <label title="odd; empty: 2 ceil(4 sigma) + 1 for a Gaussian, 99.5% of the light for a Moffat">
          size <input className="psf-num" aria-label="PSF size" value={size} onChange={(e) => setSize(e.currentTarget.value)} />
        </label>
        <button type="submit">Set PSF</button>
      </form>
    </details>
  );
}
