import { loadImageDemo } from '../../state/image-actions';
import { FilePickerButton } from '../FilePickerButton';

/**
 * "Open images" (FITS or .npy, with their variance / weight / mask / PSF files chosen together:
 * roles from the names, core/data/readers/image-files.ts) and the image demo: the simulated
 * AstroPhot tutorial image with its starting model (no files needed).
 */
export function ImageDemoButton() {
  return (
    <span className="image-entry">
      <FilePickerButton
        label="Open images"
        secondary
        accept=".fits,.fit,.fts,.gz,.npy,.fitbench.json"
        title="FITS (.fits .fit .fts, optionally .gz) or 2D .npy images; choose the variance (_var), weight (_wht, _ivar), mask (_mask) and PSF (_psf) files together with the image"
      />
      <button type="button" className="demo-button" onClick={loadImageDemo} title="AstroPhot's three-Sersic tutorial image (simulated, 99 × 99, Gaussian PSF) with the tutorial's starting model">
        Load image demo
      </button>
    </span>
  );
}
