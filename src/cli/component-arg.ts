/**
 * `--component TYPE:name=value,...` for spectra and images.
 *
 * TYPE is a 1D component (Gaussian, Lorentzian, Polynomial with order=N or Polynomial3, ...) for
 * spectra, or a 2D one (Sersic, ExponentialDisk, Gaussian2D, Moffat2D, PointSource, FlatSky,
 * PlaneSky) for images; type and parameter names match in any case (pa=0.7 sets PA). Components
 * are named in order, HyperSpy style: Sersic, Sersic_1, Sersic_2, ...; their parameters start at
 * the values given, else at the type's defaults, with the type's natural bounds (Sersic n in
 * [0.36, 8], 0 < q <= 1, Re > 0, ...).
 */
import type { ComponentOptions, ComponentType } from '../core/model/component-type';
import type { ComponentDoc, ModelDoc, ParameterDoc } from '../core/model/document';
import { componentTypes } from '../core/model/components/registry';
import { imageComponentTypes } from '../core/image/components/registry';
import { addComponent, uniqueComponentName } from '../core/model/edit';
import { keyValues, parseNumberArg, UsageError } from './args';

function findType(registry: Record<string, ComponentType>, name: string): string | undefined {
  if (Object.prototype.hasOwnProperty.call(registry, name)) return name;
  const lower = name.toLowerCase();
  return Object.keys(registry).find((k) => k.toLowerCase() === lower);
}

/** Adds the component described by `spec` to the model (image: 2D types; otherwise 1D types). */
export function addComponentArg(model: ModelDoc, spec: string, image: boolean): ModelDoc {
  const colon = spec.indexOf(':');
  let typeText = (colon < 0 ? spec : spec.slice(0, colon)).trim();
  const registry = image ? imageComponentTypes : componentTypes;
  const pairs = colon < 0 ? [] : keyValues(spec.slice(colon + 1), `--component ${typeText}`);
  let options: ComponentOptions | undefined;
  // Polynomial3 = Polynomial with order 3
  const trailing = /^([A-Za-z]+)(\d+)$/.exec(typeText);
  if (trailing && !findType(registry, typeText) && findType(registry, trailing[1])) {
    typeText = trailing[1];
    options = { order: Number(trailing[2]) };
  }
  const type = findType(registry, typeText);
  if (!type) {
    const other = findType(image ? componentTypes : imageComponentTypes, typeText);
    const hint = other ? ` (${other} is a ${image ? '1D component; this dataset is an image' : '2D component; this dataset is a spectrum'})` : '';
    throw new UsageError(`--component: unknown type "${typeText}"${hint}; known: ${Object.keys(registry).join(', ')}`);
  }
  const values: [string, number][] = [];
  for (const [k, v] of pairs) {
    if (k.toLowerCase() === 'order' && !image) {
      const order = parseNumberArg(v, `--component ${type} order`);
      if (!Number.isInteger(order) || order < 0) throw new UsageError(`--component ${type}: order must be a whole number >= 0, got "${v}"`);
      options = { ...options, order };
    } else values.push([k, parseNumberArg(v, `--component ${type} ${k}`)]);
  }
  const t = registry[type];
  const specs = t.params(options);
  const params: Record<string, ParameterDoc> = Object.create(null);
  for (const s of specs) params[s.name] = { value: s.value, lower: s.lower, upper: s.upper, fixed: false };
  for (const [k, v] of values) {
    const name = specs.find((s) => s.name === k)?.name ?? specs.find((s) => s.name.toLowerCase() === k.toLowerCase())?.name;
    if (!name) throw new UsageError(`--component ${type}: no parameter "${k}" (has ${specs.map((s) => s.name).join(', ')})`);
    params[name] = { ...params[name], value: v };
  }
  const doc: ComponentDoc = { name: uniqueComponentName(model, type), type, active: true, ...(options ? { options } : {}), params };
  return addComponent(model, doc);
}
