/** Writes float64 arrays as NumPy .npy (format 1.0, little-endian '<f8', C order). */

/**
 * The .npy bytes of `data` with the given shape (product of shape = data.length; [] is a scalar).
 * The header is padded with spaces and ends in '\n' so the data start on a 64-byte boundary, as numpy does.
 */
export function writeNpy(shape: number[], data: Float64Array): Uint8Array {
  let count = 1;
  for (const d of shape) {
    if (!Number.isSafeInteger(d) || d < 0) throw new RangeError(`writeNpy: bad dimension ${d}`);
    count *= d;
  }
  if (count !== data.length) throw new RangeError(`writeNpy: shape (${shape.join(', ')}) holds ${count} values, data has ${data.length}`);
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '<f8', 'fortran_order': False, 'shape': ${shapeText}, }`;
  const unpadded = 10 + header.length + 1;
  header += ' '.repeat((64 - (unpadded % 64)) % 64) + '\n';
  const total = 10 + header.length + 8 * data.length;
  const out = new Uint8Array(total);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
  const view = new DataView(out.buffer);
  view.setUint16(8, header.length, true);
  for (let i = 0; i < header.length; i++) out[10 + i] = header.charCodeAt(i);
  const start = 10 + header.length;
  for (let i = 0; i < data.length; i++) view.setFloat64(start + 8 * i, data[i], true);
  return out;
}
