import { describe, expect, it } from 'vitest';
import { gzipSync } from 'fflate';
import { writeFits, writeFitsImage } from './fits-write';
import { readFits } from './fits';
import { writeNpy } from './npy-write';
import { buildImage, imageRole, imageStemWords, readImageFiles, sourceFromDataset, withPlane } from './image-files';
import { readDataFiles } from './index';
import { gaussianPsf } from '../../image/psf';

const R = 6;
const C = 8;
/** value = 10 i + j, so every pixel says where it is */
function ramp(rows = R, cols = C): Float64Array {
  const a = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) a[i * cols + j] = 10 * i + j;
  return a;
}
const fits = (name: string, data: ArrayLike<number>, rows = R, cols = C) => ({ name, bytes: writeFitsImage(data, rows, cols) });
const filled = (v: number, n = R * C) => new Float64Array(n).fill(v);

describe('FITS writer', () => {
  it('writes what the FITS reader reads back (rows = NAXIS2, columns = NAXIS1)', () => {
    const bytes = writeFitsImage(ramp(), R, C, { BUNIT: 'counts', EXPTIME: 1.5 });
    expect(bytes.length % 2880).toBe(0);
    const f = readFits('x.fits', bytes);
    expect(f.shape).toEqual([R, C]);
    expect(f.header.NAXIS1).toBe(C);
    expect(f.header.NAXIS2).toBe(R);
    expect(f.header.BUNIT).toBe('counts');
    expect(f.header.EXPTIME).toBe(1.5);
    expect(f.data[2 * C + 5]).toBe(25);
    const f32 = readFits('y.fits', writeFitsImage([0.1, 2, 3, 4], 2, 2, {}, -32));
    expect(f32.bitpix).toBe(-32);
    expect(f32.data[0]).toBeCloseTo(0.1, 7);
    expect(f32.data[0]).not.toBe(0.1);
  });
});

describe('roles from file names', () => {
  it.each([
    ['tutorial.fits', 'image'],
    ['tutorial_var.fits', 'variance'],
    ['tutorial.variance.fits.gz', 'variance'],
    ['galaxyvariance.npy', 'variance'],
    ['ngc_wht.fits', 'weight'],
    ['ngc-ivar.fits', 'weight'],
    ['inverse_variance.fits', 'weight'],
    ['ngc_mask.fits', 'mask'],
    ['bpm.fits', 'mask'],
    ['star_psf.fits', 'psf'],
    ['PSF.FITS', 'psf'],
    ['various.fits', 'image'],
    ['variable_star.fits', 'image'],
  ])('%s is %s', (name, role) => {
    expect(imageRole(name)).toBe(role);
  });
  it('takes the role words out of the stem', () => {
    expect(imageStemWords('ngc_1_var.fits')).toEqual(['ngc', '1']);
    expect(imageStemWords('dir/galaxyvariance.npy')).toEqual(['galaxy']);
    expect(imageStemWords('psf.fits')).toEqual([]);
    expect(imageStemWords('ngc_sci.fits')).toEqual(['ngc', 'sci']);
  });
});

describe('readImageFiles', () => {
  it('reads an image with its variance, mask and PSF dropped together', () => {
    const values = ramp();
    values[3] = NaN; // (0, 3)
    values[C + 1] = Infinity; // (1, 1)
    const variance = filled(4);
    const mask = new Float64Array(R * C);
    mask[5 * C + 7] = 1;
    mask[5 * C + 6] = 2;
    mask[3] = 1; // also NaN: counted once as masked by the file
    const psf = gaussianPsf(1, 5);
    const scaled = Array.from(psf.data, (v) => 7 * v);
    const r = readImageFiles([fits('gal.fits', values), fits('gal_var.fits', variance), fits('gal_mask.fits', mask), fits('gal_psf.fits', scaled, 5, 5)]);
    expect(r.errors).toEqual([]);
    expect(r.datasets).toHaveLength(1);
    const d = r.datasets[0];
    expect(d.kind).toBe('image');
    expect(d.name).toBe('gal.fits');
    expect(d.shape).toEqual([R, C]);
    expect(d.coords.x[2 * C + 5]).toBe(5);
    expect(d.coords.y[2 * C + 5]).toBe(2);
    expect(d.values[2 * C + 5]).toBe(25);
    expect(d.sigma![2 * C + 5]).toBe(2);
    expect(Array.from(d.mask!).reduce((a, b) => a + b, 0)).toBe(4);
    expect(d.mask![C + 1]).toBe(1);
    expect(d.notes).toContain('3 pixels masked by gal_mask.fits');
    expect(d.notes).toContain('1 pixel with NaN/Inf masked');
    expect(d.psf!.size).toBe(5);
    expect(d.psf!.source).toBe('gal_psf.fits');
    expect(d.psf!.data.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    expect(d.psf!.data[12]).toBeCloseTo(psf.data[12], 12);
    expect(r.sources.get('gal.fits')!.variance!.name).toBe('gal_var.fits');
    expect([...r.consumed].sort()).toEqual([0, 1, 2, 3]);
  });

  it('turns a weight map into sigma = 1 / sqrt(weight) and masks zero weights', () => {
    const w = filled(0.25);
    w[0] = 0;
    const d = readImageFiles([fits('a.fits', ramp()), fits('a_wht.fits', w)]).datasets[0];
    expect(d.sigma![1]).toBe(2);
    expect(d.mask![0]).toBe(1);
    expect(d.notes).toContain('1 pixel with zero weight masked');
  });

  it('reads the first IMAGE extension after an empty primary, and gzip files', () => {
    const bytes = writeFits([{ kind: 'image' }, { kind: 'bintable', data: [1, 2] }, { kind: 'image', shape: [R, C], data: ramp(), cards: { EXTNAME: 'SCI' } }]);
    const r = readImageFiles([{ name: 'ext.fits', bytes }, { name: 'zipped.fits.gz', bytes: gzipSync(writeFitsImage(ramp(), R, C)) }]);
    expect(r.errors).toEqual([]);
    expect(r.datasets.map((d) => d.name)).toEqual(['ext.fits', 'zipped.fits.gz']);
    expect(r.datasets[0].notes![0]).toBe('FITS image from HDU 2 (BITPIX -64)');
    expect(r.datasets[1].values[5 * C + 7]).toBe(57);
  });

  it('names the file and the problem: non-image HDUs, wrong shapes, bad variances, bad PSFs', () => {
    const table = writeFits([{ kind: 'image' }, { kind: 'bintable', data: [1, 2, 3] }]);
    const msg = (files: { name: string; bytes: Uint8Array }[]) => readImageFiles(files).errors.map((e) => e.message);
    expect(msg([{ name: 'cat.fits', bytes: table }])).toEqual(['cat.fits: no image data in the file: HDU 0 is an empty primary; HDU 1 is a BINTABLE']);
    expect(msg([fits('g.fits', ramp()), fits('g_var.fits', filled(1, 5 * 5), 5, 5)])).toEqual([
      'g_var.fits: the variance has shape 5 × 5 but the image g.fits is 6 × 8 (so g.fits was not loaded)',
    ]);
    const neg = filled(1);
    neg[2 * C + 3] = -1;
    expect(msg([fits('g.fits', ramp()), fits('g_var.fits', neg)])).toEqual([
      'g_var.fits: variance at pixel (row 2, column 3) is -1; it must be finite and >= 0 (or mask the pixel) (so g.fits was not loaded)',
    ]);
    const nan = filled(1);
    nan[C] = NaN;
    expect(msg([fits('g.fits', ramp()), fits('g_var.fits', nan)])[0]).toMatch(/^g_var\.fits: variance at pixel \(row 1, column 0\) is NaN/);
    // a NaN variance under a masked pixel is fine
    const m = new Float64Array(R * C);
    m[C] = 1;
    expect(msg([fits('g.fits', ramp()), fits('g_var.fits', nan), fits('g_mask.fits', m)])).toEqual([]);
    expect(msg([fits('g.fits', ramp()), fits('g_psf.fits', filled(1, 16), 4, 4)])).toEqual([
      'g_psf.fits: the PSF image must have an odd side so that its centre is a pixel; it is 4 × 4 (so g.fits was not loaded)',
    ]);
    const cube = writeFits([{ kind: 'image', shape: [2, 3, 4], data: new Float64Array(24) }]);
    expect(msg([{ name: 'cube.fits', bytes: cube }])[0]).toBe('cube.fits: HDU 0 has NAXIS = 3 (NAXIS1 = 4, NAXIS2 = 3, NAXIS3 = 2); an image needs NAXIS = 2');
    expect(msg([fits('g.fits', ramp()), fits('g_var.fits', filled(1)), fits('g_variance.fits', filled(1))])).toEqual([
      'g_variance.fits: a second variance file for g.fits (the first is g_var.fits); drop one (so g.fits was not loaded)',
    ]);
  });

  it('matches auxiliary files to images by stem, and refuses to guess between images', () => {
    const r = readImageFiles([fits('a.fits', ramp()), fits('b.fits', filled(3)), fits('b_var.fits', filled(9)), fits('a_var.fits', filled(1))]);
    expect(r.errors).toEqual([]);
    expect(r.datasets.find((d) => d.name === 'a.fits')!.sigma![0]).toBe(1);
    expect(r.datasets.find((d) => d.name === 'b.fits')!.sigma![0]).toBe(3);
    const amb = readImageFiles([fits('a.fits', ramp()), fits('b.fits', ramp()), fits('psf.fits', [0, 0, 0, 0, 1, 0, 0, 0, 0], 3, 3)]);
    expect(amb.datasets).toHaveLength(2);
    expect(amb.errors.map((e) => e.message)).toEqual([
      "psf.fits: looks like a psf (from its name) but it is not clear which image it belongs to (a.fits, b.fits); give it the image's name with _psf",
    ]);
    // the only image of the drop takes a differently named auxiliary file
    const one = readImageFiles([fits('ngc_sci.fits', ramp()), fits('ngc_wht.fits', filled(1))]);
    expect(one.datasets[0].sigma![0]).toBe(1);
  });

  it('returns auxiliary files dropped without an image', () => {
    const r = readImageFiles([fits('new_var.fits', filled(2))]);
    expect(r.datasets).toEqual([]);
    expect(r.auxiliary).toHaveLength(1);
    expect(r.auxiliary[0].role).toBe('variance');
    expect(r.auxiliary[0].plane.shape).toEqual([R, C]);
  });

  it('reads 2D .npy images; narrow 2D arrays stay spectra', () => {
    const files = [
      { name: 'img.npy', bytes: writeNpy([R, C], ramp()) },
      { name: 'img_var.npy', bytes: writeNpy([R, C], filled(4)) },
      { name: 'spec.npy', bytes: writeNpy([10, 2], new Float64Array(20).map((_, k) => k)) },
    ];
    const r = readImageFiles(files);
    expect(r.datasets.map((d) => [d.name, d.kind, d.sigma?.[0]])).toEqual([['img.npy', 'image', 2]]);
    expect([...r.consumed]).toEqual([0, 1]);
    const all = readDataFiles(files);
    expect(all.errors).toEqual([]);
    expect(all.datasets.map((d) => [d.name, d.kind])).toEqual([
      ['img.npy', 'image'],
      ['spec.npy', 'spectrum'],
    ]);
  });

  it('readDataFiles reads FITS images and hands back lone auxiliary files', () => {
    const r = readDataFiles([fits('g.fits', ramp()), fits('g_var.fits', filled(4)), fits('other_mask.fits', filled(0))]);
    expect(r.errors).toEqual([]);
    expect(r.datasets.map((d) => d.name)).toEqual(['g.fits']);
    expect(r.datasets[0].mask).toBeUndefined();
    const lone = readDataFiles([fits('m_mask.fits', filled(0))]);
    expect(lone.datasets).toEqual([]);
    expect(lone.auxiliary?.map((a) => a.role)).toEqual(['mask']);
  });
});

describe('replacing planes', () => {
  it('replaces the variance, and combines a new mask with the current one of a restored dataset', () => {
    const first = readImageFiles([fits('g.fits', ramp()), fits('g_var.fits', filled(4))]);
    const src = first.sources.get('g.fits')!;
    const w = withPlane(src, 'weight', { name: 'w.fits', data: filled(0.01), shape: [R, C] });
    expect(w.variance).toBeUndefined();
    expect(buildImage('g.fits', w).sigma![7]).toBeCloseTo(10, 12);
    // a restored dataset: its values and mask are all there is
    const values = ramp();
    values[0] = NaN;
    const d = readImageFiles([fits('h.fits', values)]).datasets[0];
    const derived = sourceFromDataset(d);
    const m = new Float64Array(R * C);
    m[R * C - 1] = 1;
    const next = buildImage('h.fits', withPlane(derived, 'mask', { name: 'h_mask.fits', data: m, shape: [R, C] }));
    expect(next.mask![0]).toBe(1);
    expect(next.mask![R * C - 1]).toBe(1);
    expect(Array.from(next.mask!).reduce((a, b) => a + b, 0)).toBe(2);
  });
});
