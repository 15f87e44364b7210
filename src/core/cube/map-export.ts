/**
 * Exporting parameter maps of a spectrum-image fit: NumPy .npy (float64 maps, uint8 status
 * maps) and CSV (one line per pixel). Pure: bytes and text out; the runner and the app save them.
 *
 * .npy: format 1.0, C order, little-endian, the header dict as numpy.save writes it
 * ("{'descr': '<f8', 'fortran_order': False, 'shape': (4, 5), }"), padded with spaces and a final
 * '\n' so that the data start at a multiple of 64 bytes (numpy.lib.format, ARRAY_ALIGN = 64).
 * numpy >= 1.23 also reserves up to 21 spaces for the first dimension to grow; for any array whose
 * size is a safe integer that reserve fits inside the same 128-byte header, so the bytes equal
 * numpy's (checked against files numpy wrote: testdata/map-export).
 */
import { writeNpy } from '../data/readers/npy-write';

function checkShape(what: string, shape: number[], length: number): void {
  let count = 1;
  for (const d of shape) {
    if (!Number.isSafeInteger(d) || d < 0) throw new RangeError(`${what}: bad dimension ${d} in shape (${shape.join(', ')})`);
    count *= d;
  }
  if (count !== length) throw new RangeError(`${what}: shape (${shape.join(', ')}) holds ${count} values, the map has ${length}`);
}

/** A float64 map (e.g. [rows, cols]) as .npy bytes ('<f8', format 1.0, header padded to 64 bytes). */
export function mapToNpy(shape: number[], data: Float64Array): Uint8Array {
  checkShape('mapToNpy', shape, data.length);
  return writeNpy(shape, data);
}

/** A uint8 map (e.g. the fit status per pixel) as .npy bytes ('|u1', format 1.0, header padded to 64 bytes). */
export function mapToNpyU8(shape: number[], data: Uint8Array): Uint8Array {
  checkShape('mapToNpyU8', shape, data.length);
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '|u1', 'fortran_order': False, 'shape': ${shapeText}, }`;
  header += ' '.repeat((64 - ((10 + header.length + 1) % 64)) % 64) + '\n';
  const out = new Uint8Array(10 + header.length + data.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
  new DataView(out.buffer).setUint16(8, header.length, true);
  for (let i = 0; i < header.length; i++) out[10 + i] = header.charCodeAt(i);
  out.set(data, 10 + header.length);
  return out;
}

/** A CSV field: quoted (RFC 4180) when it holds a comma, a quote or a line break. */
function field(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** A number as CSV text that reads back to the same float64: shortest round-trip digits; nan, inf, -inf as numpy and pandas write them. */
function numberText(v: number): string {
  if (Number.isNaN(v)) return 'nan';
  if (v === Infinity) return 'inf';
  if (v === -Infinity) return '-inf';
  return Object.is(v, -0) ? '-0' : String(v);
}

/**
 * Maps as CSV: a header line "row,col,<key>,..." then one line per pixel in row-major order
 * (row, column, then each map's value at that pixel, in the order of the keys). Lines end in '\n'.
 */
export function mapsToCsv(maps: Record<string, Float64Array>, rows: number, cols: number): string {
  if (!Number.isSafeInteger(rows) || !Number.isSafeInteger(cols) || rows < 0 || cols < 0) throw new RangeError(`mapsToCsv: bad map size ${rows} x ${cols}`);
  const keys = Object.keys(maps);
  const n = rows * cols;
  for (const k of keys) {
    if (maps[k].length !== n) throw new RangeError(`mapsToCsv: map ${k} has ${maps[k].length} values, a ${rows} x ${cols} map needs ${n}`);
  }
  const lines: string[] = [['row', 'col', ...keys].map(field).join(',')];
  const columns = keys.map((k) => maps[k]);
  for (let r = 0, p = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++, p++) {
      let line = `${r},${c}`;
      for (const m of columns) line += `,${numberText(m[p])}`;
      lines.push(line);
    }
  }
  return lines.join('\n') + '\n';
}
