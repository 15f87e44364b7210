import { describe, expect, it } from 'vitest';
import { LoadError } from './load-error';
import { isMsa, parseMsa, readMsa, readMsaStack } from './msa';

const enc = (name: string, text: string) => ({ name, bytes: new TextEncoder().encode(text) });

function message(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(LoadError);
    return (e as LoadError).message;
  }
  throw new Error('expected a LoadError');
}

/** written by HyperSpy 1.7.3: s.save('hs.msa') of a 7-channel Signal1D (scale 0.01, offset -0.2 keV) */
const HYPERSPY_MSA = `#FORMAT      : EMSA/MAS Spectral Data File
#VERSION     : 1.0
#DATE        : 
#TIME        : 
#OWNER       : 
#NPOINTS     : 7
#NCOLUMNS    : 1
#DATATYPE    : Y
#SIGNALTYPE  : 
#XPERCHAN    : 0.01
#OFFSET      : -0.2
#XLABEL      : 
#XUNITS      : keV
#COMMENT     : File created by HyperSpy version 1.7.3
#TITLE       : test spectrum
#SPECTRUM    : Spectral Data Starts Here
1.500000, 
2.000000, 
3.000000, 
4.000000, 
5.000000, 
6.000000, 
7.250000, 
#ENDOFDATA   : End Of Data and File
`;

/** an EDS export in the ISO 22029 layout: 5 columns, units on keywords, user keywords, CRLF */
const EDS_MSA = [
  '#FORMAT      : EMSA/MAS Spectral Data File',
  '#VERSION     : 1.0',
  '#TITLE       : Fe-Ti alloy, spot 3',
  '#DATE        : 01-JAN-2024',
  '#NPOINTS     : 12.',
  '#NCOLUMNS    : 5',
  '#XUNITS      : keV',
  '#YUNITS      : counts',
  '#DATATYPE    : Y',
  '#XPERCHAN    : 0.010000',
  '#OFFSET      : -0.0500',
  '#BEAMKV   -kV: 20.0',
  '##OXINSTLABEL: 26, 6.400, Fe',
  '#SPECTRUM    : Spectral Data Starts Here',
  '0, 12, 55, 180, 240,',
  '231, 170, 90, 41, 15',
  '3.5E+00, 1',
  '#CHECKSUM    : 1038',
  '#ENDOFDATA   : End Of Data and File',
].join('\r\n');

describe('EMSA/MSA', () => {
  it('recognises EMSA text', () => {
    expect(isMsa(HYPERSPY_MSA)).toBe(true);
    expect(isMsa('\n\n' + EDS_MSA)).toBe(true);
    expect(isMsa('x,y\n1,2\n')).toBe(false);
  });

  it('reads a file written by HyperSpy', () => {
    const d = readMsa(enc('hs.msa', HYPERSPY_MSA));
    expect(d.kind).toBe('spectrum');
    expect(Array.from(d.values)).toEqual([1.5, 2, 3, 4, 5, 6, 7.25]);
    expect(d.coords.x[0]).toBeCloseTo(-0.2, 15);
    expect(d.coords.x[6]).toBeCloseTo(-0.14, 15);
    expect(d.labels).toEqual({ x: 'keV' });
    expect(d.notes?.[0]).toContain('"test spectrum"');
  });

  it('reads columns, units on keywords, user keywords and CRLF', () => {
    const s = parseMsa('eds.msa', EDS_MSA);
    expect(s.y.length).toBe(12);
    expect(Array.from(s.y)).toEqual([0, 12, 55, 180, 240, 231, 170, 90, 41, 15, 3.5, 1]);
    expect(s.xperchan).toBe(0.01);
    expect(s.offset).toBe(-0.05);
    expect(s.header.BEAMKV).toBe('20.0');
    expect(s.header['#OXINSTLABEL']).toBe('26, 6.400, Fe');
    expect(s.x[11]).toBeCloseTo(-0.05 + 0.11, 14);
    expect(s.yunits).toBe('counts');
  });

  it('reads XY data', () => {
    const text = '#FORMAT : EMSA/MAS Spectral Data File\n#NPOINTS : 3\n#DATATYPE : XY\n#XUNITS : eV\n#SPECTRUM :\n100.0, 5\n110.0, 7\n120.0, 9\n#ENDOFDATA :\n';
    const s = parseMsa('xy.msa', text);
    expect(Array.from(s.x)).toEqual([100, 110, 120]);
    expect(Array.from(s.y)).toEqual([5, 7, 9]);
    expect(s.xperchan).toBe(10);
    expect(message(() => parseMsa('xy.msa', text.replace('110.0, 7', '110.0 7 8')))).toBe(
      'xy.msa, line 7: #DATATYPE XY needs one "x, y" pair per line; found 3 values: "110.0 7 8"',
    );
  });

  it('names the file and the problem for truncated and mismatched files', () => {
    const cut = HYPERSPY_MSA.slice(0, HYPERSPY_MSA.indexOf('5.000000'));
    expect(message(() => readMsa(enc('cut.msa', cut)))).toBe('cut.msa, line 20: truncated: #NPOINTS is 7 but only 4 data values follow (and no #ENDOFDATA)');
    const extra = HYPERSPY_MSA.replace('7.250000, ', '7.250000, 8');
    expect(message(() => readMsa(enc('extra.msa', extra)))).toBe('extra.msa, line 23: mismatched: #NPOINTS is 7 but 8 data values follow');
    expect(message(() => readMsa(enc('hdr.msa', HYPERSPY_MSA.split('#SPECTRUM')[0])))).toBe('hdr.msa: no data (truncated after the header?)');
    expect(message(() => readMsa(enc('bad.msa', HYPERSPY_MSA.replace('3.000000', '3.0x0'))))).toBe('bad.msa, line 19: value is not a number: "3.0x0"');
    expect(message(() => readMsa(enc('dt.msa', HYPERSPY_MSA.replace('#DATATYPE    : Y', '#DATATYPE    : YY'))))).toBe(
      'dt.msa, line 8: #DATATYPE must be Y or XY; got "YY"',
    );
    expect(message(() => readMsa(enc('x.txt', '1, 2\n3, 4\n')))).toBe('x.txt: not an EMSA/MSA file: no #FORMAT / #NPOINTS header lines');
  });

  it('stacks files of one calibration into a [1, n, channels] cube', () => {
    const a = enc('a.msa', HYPERSPY_MSA);
    const b = enc('b.msa', HYPERSPY_MSA.replace('1.500000', '9.000000'));
    const d = readMsaStack([a, b, a]);
    expect(d.kind).toBe('cube');
    expect(d.shape).toEqual([1, 3, 7]);
    expect(d.coords.x.length).toBe(7);
    expect(Array.from(d.values.subarray(7, 14))).toEqual([9, 2, 3, 4, 5, 6, 7.25]);
    expect(Array.from(d.values.subarray(14, 21))).toEqual([1.5, 2, 3, 4, 5, 6, 7.25]);
  });

  it('refuses a stack whose calibration differs, naming the file', () => {
    const a = enc('a.msa', HYPERSPY_MSA);
    expect(message(() => readMsaStack([a, enc('c.msa', HYPERSPY_MSA.replace('0.01', '0.02'))]))).toBe(
      'c.msa: #XPERCHAN is 0.02 but a.msa has 0.01; a stack needs the same calibration',
    );
    expect(message(() => readMsaStack([a, enc('o.msa', HYPERSPY_MSA.replace('-0.2', '-0.1'))]))).toBe(
      'o.msa: #OFFSET is -0.1 but a.msa has -0.2; a stack needs the same calibration',
    );
    const short = HYPERSPY_MSA.replace('#NPOINTS     : 7', '#NPOINTS     : 6').replace('7.250000, \n', '');
    expect(message(() => readMsaStack([a, enc('s.msa', short)]))).toBe('s.msa: has 6 channels but a.msa has 7; a stack needs the same calibration');
    expect(message(() => readMsaStack([a, enc('u.msa', HYPERSPY_MSA.replace('keV', 'eV'))]))).toBe(
      'u.msa: #XUNITS is "eV" but a.msa has "keV"; a stack needs the same calibration',
    );
  });
});
