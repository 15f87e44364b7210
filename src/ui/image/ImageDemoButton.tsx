import { loadImageDemo } from '../../state/image-actions';
import { loadDropped } from '../../state/session-actions';
import { readFiles } from '../read-files';

/**
 * "Open images" (FITS or .npy, with their variance / weight / mask / PSF files chosen together:
 * roles from the names, core/data/readers/image-files.ts) and the image demo: the simulated
 * AstroPhot tutorial image with its starting model (no files needed).
 */
export function ImageDemoButton() {
  return (
    <span className="image-entry">
      <label className="button secondary" title="FITS (.fits .fit .fts, optionally .gz) or 2D .npy images; choose the variance (_var), weight (_wht, _ivar), mask (_mask) and PSF (_psf) files together with the image">
        Open images
        <input
          type="file"
          aria-label="Open images"
          multiple
          accept=".fits,.fit,.fts,.gz,.npy,.fitbench.json"
          onChange={async (e) => {
            const input = e.currentTarget;
            const files = input.files ? Array.from(input.files) : [];
            input.value = '';
            if (files.length > 0) loadDropped(await readFiles(files));
          }}
        />
      </label>
      <button type="button" className="demo-button" onClick={loadImageDemo} title="AstroPhot's three-Sersic tutorial image (simulated, 99 × 99, Gaussian PSF) with the tutorial's starting model">
        Load image demo
      </button>
    </span>
  );
}
