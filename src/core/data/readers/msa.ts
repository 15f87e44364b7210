/**
 * EMSA/MAS spectral data files (.msa, .ems; ISO 22029, "EMSA/MAS standard file format for
 * spectral data exchange", version 1.0): a header of `#KEYWORD : value` lines (a keyword may
 * carry units after a dash, `#BEAMKV -kV: 20`; user keywords start with `##`), then the data
 * between `#SPECTRUM` and `#ENDOFDATA`. #DATATYPE Y: the values only, up to #NCOLUMNS per line,
 * with x = #OFFSET + #XPERCHAN * k; #DATATYPE XY: one `x, y` pair per line. Values are separated
 * by commas and/or white space (a trailing comma is allowed).
 *
 * One file is a spectrum; several files of the same calibration (channels, #XPERCHAN, #OFFSET,
 * #XUNITS) are a stack, a cube of shape [1, n, channels], one pixel per file in the given order.
 * #NPOINTS is checked against the data (fewer values: truncated; more: mismatched).
 */
import { makeSpectrum, type Dataset } from '../dataset';
import { LoadError, quote } from './load-error';
import { decodeText, splitLines } from './text';

export interface MsaSpectrum {
  x: Float64Array;
  y: Float64Array;
  /** header keywords (upper case, without '#' and units) to their values as written */
  header: Record<string, string>;
  datatype: 'Y' | 'XY';
  xperchan: number;
  offset: number;
  xunits: string;
  yunits: string;
  title: string;
  notes: string[];
}

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eEdD][+-]?\d+)?$/;

function parseNumber(file: string, text: string, line: number, what: string): number {
  const t = text.trim();
  if (!NUMBER.test(t)) throw new LoadError(file, `${what} is not a number: ${quote(t)}`, line);
  return Number(t.replace(/[dD]/, 'e'));
}

/** Parses the text of one EMSA/MSA file. */
export function parseMsa(file: string, text: string): MsaSpectrum {
  const lines = splitLines(text);
  const header: Record<string, string> = Object.create(null);
  const headerLine: Record<string, number> = Object.create(null);
  const notes: string[] = [];
  let i = 0;
  let sawSpectrum = false;
  for (; i < lines.length; i++) {
    const raw = lines[i].trim();
    if (raw === '') continue;
    if (!raw.startsWith('#')) break; // data without a #SPECTRUM line
    const m = /^#+\s*([A-Za-z][A-Za-z0-9_]*)([^:]*)(:(.*))?$/.exec(raw);
    if (!m) throw new LoadError(file, `unreadable header line ${quote(raw)}`, i + 1);
    const key = m[1].toUpperCase();
    if (raw.startsWith('##')) {
      header[`#${key}`] = (m[4] ?? '').trim();
      continue;
    }
    if (key === 'SPECTRUM') {
      sawSpectrum = true;
      i++;
      break;
    }
    if (key === 'ENDOFDATA') throw new LoadError(file, '#ENDOFDATA before any data (no #SPECTRUM section)', i + 1);
    header[key] = (m[4] ?? '').trim();
    headerLine[key] = i + 1;
  }
  if (Object.keys(header).length === 0 && !sawSpectrum) {
    throw new LoadError(file, 'not an EMSA/MSA file: no #FORMAT / #NPOINTS header lines');
  }
  if (header.FORMAT !== undefined && !/EMSA|MAS|MSA/i.test(header.FORMAT)) {
    notes.push(`#FORMAT is ${quote(header.FORMAT)}, read as EMSA/MAS`);
  }
  const num = (key: string): number | undefined => (header[key] === undefined || header[key] === '' ? undefined : parseNumber(file, header[key], headerLine[key], `#${key}`));
  const npoints = num('NPOINTS');
  if (npoints !== undefined && !(Number.isInteger(npoints) && npoints > 0)) {
    throw new LoadError(file, `#NPOINTS must be a positive integer; got ${header.NPOINTS}`, headerLine.NPOINTS);
  }
  const ncolumns = num('NCOLUMNS');
  const dt = (header.DATATYPE ?? 'Y').toUpperCase().replace(/\s+/g, '');
  if (dt !== 'Y' && dt !== 'XY') throw new LoadError(file, `#DATATYPE must be Y or XY; got ${quote(header.DATATYPE)}`, headerLine.DATATYPE);
  const datatype = dt as 'Y' | 'XY';
  let xperchan = num('XPERCHAN');
  let offset = num('OFFSET');
  if (datatype === 'Y') {
    if (xperchan === undefined) {
      xperchan = 1;
      notes.push('no #XPERCHAN: x is the channel number');
    }
    if (offset === undefined) offset = 0;
    if (xperchan === 0) throw new LoadError(file, '#XPERCHAN is 0', headerLine.XPERCHAN);
  }

  // data
  const values: number[] = [];
  let ended = false;
  let lastDataLine = i;
  const pairs: [number, number][] = [];
  for (; i < lines.length; i++) {
    const raw = lines[i].trim();
    if (raw === '') continue;
    if (raw.startsWith('#')) {
      const key = /^#+\s*([A-Za-z]+)/.exec(raw)?.[1]?.toUpperCase();
      if (key === 'ENDOFDATA') {
        ended = true;
        break;
      }
      if (key === 'CHECKSUM') continue;
      throw new LoadError(file, `unexpected header line ${quote(raw)} inside the data`, i + 1);
    }
    const tokens = raw.split(/[\s,;]+/).filter((t) => t !== '');
    if (datatype === 'XY') {
      if (tokens.length !== 2) throw new LoadError(file, `#DATATYPE XY needs one "x, y" pair per line; found ${tokens.length} value${tokens.length === 1 ? '' : 's'}: ${quote(raw)}`, i + 1);
      pairs.push([parseNumber(file, tokens[0], i + 1, 'x'), parseNumber(file, tokens[1], i + 1, 'y')]);
    } else {
      if (ncolumns !== undefined && tokens.length > ncolumns && !notes.some((n) => n.startsWith('lines hold more'))) {
        notes.push(`lines hold more values than #NCOLUMNS = ${ncolumns} (line ${i + 1}); all are read`);
      }
      for (const t of tokens) values.push(parseNumber(file, t, i + 1, 'value'));
    }
    lastDataLine = i + 1;
  }
  const count = datatype === 'XY' ? pairs.length : values.length;
  if (count === 0) throw new LoadError(file, ended ? 'no data between #SPECTRUM and #ENDOFDATA' : 'no data (truncated after the header?)');
  if (npoints !== undefined && count < npoints) {
    throw new LoadError(
      file,
      `truncated: #NPOINTS is ${npoints} but only ${count} data ${datatype === 'XY' ? 'pairs' : 'values'} follow${ended ? ' before #ENDOFDATA' : ' (and no #ENDOFDATA)'}`,
      lastDataLine,
    );
  }
  if (npoints !== undefined && count > npoints) {
    throw new LoadError(file, `mismatched: #NPOINTS is ${npoints} but ${count} data ${datatype === 'XY' ? 'pairs' : 'values'} follow`, lastDataLine);
  }
  if (!ended) notes.push('no #ENDOFDATA line (the data are complete per #NPOINTS)');
  if (!sawSpectrum) notes.push('no #SPECTRUM line: data read from the first line without #');

  let x: Float64Array;
  let y: Float64Array;
  if (datatype === 'XY') {
    x = Float64Array.from(pairs, (p) => p[0]);
    y = Float64Array.from(pairs, (p) => p[1]);
    if (xperchan === undefined && x.length > 1) xperchan = (x[x.length - 1] - x[0]) / (x.length - 1);
    if (offset === undefined) offset = x[0];
  } else {
    y = Float64Array.from(values);
    x = new Float64Array(y.length);
    for (let k = 0; k < y.length; k++) x[k] = offset! + xperchan! * k;
  }
  return {
    x,
    y,
    header,
    datatype,
    xperchan: xperchan ?? 1,
    offset: offset ?? 0,
    xunits: header.XUNITS ?? '',
    yunits: header.YUNITS ?? '',
    title: header.TITLE ?? '',
    notes,
  };
}

function toDataset(name: string, s: MsaSpectrum): Dataset {
  const d = makeSpectrum(name, s.x, s.y);
  const labels: Record<string, string> = {};
  if (s.xunits) labels.x = s.xunits;
  if (s.yunits) labels.y = s.yunits;
  if (Object.keys(labels).length > 0) d.labels = labels;
  d.notes = [
    `EMSA/MSA ${s.datatype} spectrum${s.title ? ` ${quote(s.title)}` : ''}: ${s.y.length} channels, x = ${s.offset} + ${s.xperchan} * channel${s.xunits ? ` ${s.xunits}` : ''}`,
    ...s.notes,
  ];
  return d;
}

/** One EMSA/MSA file as a spectrum Dataset. */
export function readMsa(file: { name: string; bytes: Uint8Array }): Dataset {
  return toDataset(file.name, parseMsa(file.name, decodeText(file.bytes)));
}

/** Same calibration within a small relative tolerance (text round-off of the header values). */
function close(a: number, b: number, scale: number): boolean {
  return Math.abs(a - b) <= 1e-9 * Math.max(Math.abs(a), Math.abs(b), scale);
}

/**
 * Several EMSA/MSA files of one calibration as a stack cube [1, n, channels] (one pixel per file,
 * in the order given). A file whose channels, #XPERCHAN, #OFFSET or #XUNITS differ from the first
 * file's is a LoadError naming it and the difference.
 */
export function readMsaStack(files: { name: string; bytes: Uint8Array }[], name?: string): Dataset {
  if (files.length === 0) throw new LoadError(name ?? 'stack', 'no files to stack');
  const spectra = files.map((f) => parseMsa(f.name, decodeText(f.bytes)));
  const first = spectra[0];
  const n = first.y.length;
  const ref = files[0].name;
  for (let s = 1; s < spectra.length; s++) {
    const sp = spectra[s];
    const f = files[s].name;
    if (sp.y.length !== n) throw new LoadError(f, `has ${sp.y.length} channels but ${ref} has ${n}; a stack needs the same calibration`);
    const step = Math.abs(first.xperchan);
    if (!close(sp.xperchan, first.xperchan, 0)) {
      throw new LoadError(f, `#XPERCHAN is ${sp.xperchan} but ${ref} has ${first.xperchan}; a stack needs the same calibration`);
    }
    if (!close(sp.offset, first.offset, step)) {
      throw new LoadError(f, `#OFFSET is ${sp.offset} but ${ref} has ${first.offset}; a stack needs the same calibration`);
    }
    if (sp.xunits.toLowerCase() !== first.xunits.toLowerCase()) {
      throw new LoadError(f, `#XUNITS is ${quote(sp.xunits)} but ${ref} has ${quote(first.xunits)}; a stack needs the same calibration`);
    }
    if (sp.datatype === 'XY' || first.datatype === 'XY') {
      for (let k = 0; k < n; k++) {
        if (!close(sp.x[k], first.x[k], step)) {
          throw new LoadError(f, `x of channel ${k} is ${sp.x[k]} but ${ref} has ${first.x[k]}; a stack needs the same calibration`);
        }
      }
    }
  }
  const values = new Float64Array(spectra.length * n);
  spectra.forEach((sp, s) => values.set(sp.y, s * n));
  const d: Dataset = {
    name: name ?? `${ref} + ${files.length - 1} more`,
    kind: 'cube',
    shape: [1, spectra.length, n],
    coords: { x: Float64Array.from(first.x) },
    values,
    notes: [
      `stack of ${files.length} EMSA/MSA spectra (${files.map((f) => f.name).join(', ')}): ${n} channels, x = ${first.offset} + ${first.xperchan} * channel${first.xunits ? ` ${first.xunits}` : ''}`,
    ],
  };
  const labels: Record<string, string> = {};
  if (first.xunits) labels.x = first.xunits;
  if (first.yunits) labels.y = first.yunits;
  if (Object.keys(labels).length > 0) d.labels = labels;
  return d;
}

/** True when the text starts like an EMSA/MSA file (a #FORMAT line naming EMSA/MAS, possibly after blank lines). */
export function isMsa(text: string): boolean {
  const head = text.replace(/^\uFEFF/, '').trimStart().slice(0, 200);
  return /^#FORMAT\s*:\s*EMSA/i.test(head);
}
