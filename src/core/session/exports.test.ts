import { describe, expect, it } from 'vitest';
import { makeSpectrum } from '../data/dataset';
import { fitModel } from '../fit/fit-model';
import { defaultFitSettings } from '../fit/settings';
import { evaluateCurves } from '../model/display';
import { addComponent, newComponent } from '../model/edit';
import { curvesCsv, parametersCsv, parametersJson } from './exports';

const x = Float64Array.from({ length: 5 }, (_, i) => i);
const y = Float64Array.of(1, 3, 5.2, 6.8, 9);
const d = makeSpectrum('line.csv', x, y, new Float64Array(5).fill(0.5));
let model = addComponent({ components: [] }, newComponent({ components: [] }, 'Polynomial', { order: 1 }, { a0: 0, a1: 1 }));
model = addComponent(model, { ...newComponent(model, 'Offset', undefined, { offset: 0 }), name: '=HYPERLINK("x")' });
model.components[1].params.offset.fixed = true;
const result = fitModel(d, model, defaultFitSettings());

describe('exports', () => {
  it('parameters CSV lists every parameter, fixed ones marked, formulas defused', () => {
    const lines = parametersCsv(result).trim().split('\n');
    expect(lines[0]).toBe('component,parameter,value,error,at_bound,free');
    const a1 = lines.find((l) => l.startsWith('Polynomial,a1,'))!.split(',');
    // straight line through (i, y_i): slope = 1.98 exactly
    expect(Number(a1[2])).toBeCloseTo(1.98, 10);
    expect(Number(a1[3])).toBeCloseTo(0.5 / Math.sqrt(10), 10);
    expect(lines.find((l) => l.includes('offset'))).toBe(`"'=HYPERLINK(""x"")",offset,0,,,false`);
  });

  it('parameters JSON carries values, errors and the covariance', () => {
    const j = JSON.parse(parametersJson(result));
    expect(j.parameters['Polynomial.a0'].value).toBeCloseTo(1.04, 10);
    expect(j.parameters['Polynomial.a1'].error).toBeCloseTo(0.5 / Math.sqrt(10), 10);
    expect(j.covariance[1][1]).toBeCloseTo(0.025, 10);
    expect(j.parameters['=HYPERLINK("x").offset'].free).toBe(false);
  });

  it('curves CSV has model, components and residuals per point', () => {
    const curves = evaluateCurves({ components: model.components.map((c) => ({ ...c, params: Object.fromEntries(Object.entries(c.params).map(([k, p]) => [k, { ...p, value: result.values[`${c.name}.${k}`] }])) })) }, d.coords, 5);
    const lines = curvesCsv(d, curves).trim().split('\n');
    expect(lines[0]).toBe(`x,data,sigma,model,Polynomial,"'=HYPERLINK(""x"")",residual,residual_over_sigma`);
    const row = lines[3].split(',').map(Number);
    expect(row[0]).toBe(2);
    expect(row[3]).toBeCloseTo(1.04 + 2 * 1.98, 10);
    expect(row[6]).toBeCloseTo(5.2 - (1.04 + 3.96), 10);
    expect(row[7]).toBeCloseTo((5.2 - 5) / 0.5, 10);
  });
});
