/** The conventions of the image workflow, written once (as in core/image/components/geometry.ts). */
export function ImageHelp() {
  return (
    <details className="image-help">
      <summary>Conventions</summary>
      <ul>
        <li>
          Pixel (row <var>i</var>, column <var>j</var>) has its centre at <var>x</var> = <var>j</var>, <var>y</var> = <var>i</var> (AstroPhot&apos;s convention); row 0 is drawn at the bottom.
        </li>
        <li>
          <b>PA</b>: position angle of the major axis, from +<var>x</var> counter-clockwise (towards +<var>y</var>). Shown and typed in degrees (model panel, results table, posterior summary); stored and sampled in radians (session files, exports,
          trace and corner plots and the command line give radians). An ellipse is the same after 180°, so fitted angles are shown in [0°, 180°).
        </li>
        <li>
          <b>q</b> = <var>b</var>/<var>a</var>, the axis ratio (0 &lt; q ≤ 1). <b>Re</b>: half-light radius along the major axis, in pixels (Sersic, ExponentialDisk); <b>n</b>: Sersic index.
        </li>
        <li>
          <b>Ie</b> and <b>F</b> are log10 of an intensity per pixel: Ie at Re (Sersic, ExponentialDisk), F the sky level (FlatSky, PlaneSky). Gaussian2D: <b>sigma</b> along the major axis (pixels),{' '}
          <b>flux</b> = log10 of the total light. Moffat2D: <b>Rd</b> core radius (pixels), <b>I0</b> = log10 of the central intensity per pixel.
        </li>
        <li>Ellipses are drawn at the half-light radius (Re; sigma √(2 ln 2) for a Gaussian). The model is integrated over each pixel and convolved with the PSF (normalised to sum 1).</li>
        <li>
          Residual = (data − model) / σ with σ from the variance (σ = √variance) or weight (σ = 1/√weight) map, shown from −5 to 5; masked and NaN pixels are grey and left out of the fit.
        </li>
        <li>
          Estimate from data: click on a source; centre from adaptive moments, q and PA from the second moments (minus the PSF&apos;s), size and flux from the curve of growth for the component&apos;s
          profile (Sersic of its current n), on the data minus the other components.
        </li>
      </ul>
    </details>
  );
}
