import { describe, expect, it } from 'vitest';
import { axisCalibration, calibrateSignalAxis, makeCube, signalAxis, CubeError } from './cube';

describe('signal axis calibration', () => {
  const cube = makeCube('m.npy', 2, 3, Float64Array.from({ length: 5 }, (_, k) => k), new Float64Array(2 * 3 * 5));
  it('reads a uniform axis and sets start, step and units', () => {
    expect(axisCalibration(cube)).toEqual({ start: 0, step: 1, units: undefined });
    const c = calibrateSignalAxis(cube, { start: 0.5, step: 0.01, units: 'keV' });
    expect(Array.from(signalAxis(c))).toEqual([0.5, 0.51, 0.52, 0.53, 0.54]);
    expect(c.labels?.x).toBe('keV');
    const cal = axisCalibration(c)!;
    expect(cal.start).toBe(0.5);
    expect(cal.step).toBeCloseTo(0.01, 15);
    expect(c.values).toBe(cube.values);
    expect(Array.from(signalAxis(cube))).toEqual([0, 1, 2, 3, 4]); // the original is untouched
  });
  it('refuses a zero or non-finite step, and says a non-uniform axis has no calibration', () => {
    expect(() => calibrateSignalAxis(cube, { start: 0, step: 0 })).toThrow(CubeError);
    expect(() => calibrateSignalAxis(cube, { start: NaN, step: 1 })).toThrow(/start must be a finite/);
    const odd = { ...cube, coords: { x: Float64Array.from([0, 1, 2, 4, 8]) } };
    expect(axisCalibration(odd)).toBeNull();
  });
});
