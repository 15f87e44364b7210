import { ModelError } from '../parameter-layout';
/** The built-in 1D component types, by their type name (HyperSpy's names). */
import type { ComponentType } from '../component-type';
import { gaussian } from './gaussian';
import { lorentzian } from './lorentzian';
import { voigt } from './voigt';
import { pseudoVoigt } from './pseudo-voigt';
import { offset } from './offset';
import { polynomial } from './polynomial';
import { powerLaw } from './power-law';
import { exponential } from './exponential';
import { logistic } from './logistic';
import { erfStep } from './erf-step';
import { arctan } from './arctan';
import { heavisideStep } from './heaviside-step';

const ordered: ComponentType[] = [
  gaussian,
  lorentzian,
  voigt,
  pseudoVoigt,
  offset,
  polynomial,
  powerLaw,
  exponential,
  logistic,
  erfStep,
  arctan,
  heavisideStep,
];

/** Type name -> descriptor (no prototype, so only real type names are keys). */
export const componentTypes: Record<string, ComponentType> = Object.create(null);
for (const t of ordered) componentTypes[t.type] = t;

/** Type names in display order. */
export const componentTypeNames: string[] = ordered.map((t) => t.type);

/** The descriptor of a type name, or undefined if there is none. */
export function getComponentType(type: string): ComponentType | undefined {
  return Object.prototype.hasOwnProperty.call(componentTypes, type) ? componentTypes[type] : undefined;
}

/** The component type, or a ModelError naming the unknown type (for documents that must be valid). */
export function requireComponentType(type: string): ComponentType {
  const t = getComponentType(type);
  if (!t) throw new ModelError(`Unknown component type '${type}'; known: ${componentTypeNames.join(', ')}`);
  return t;
}
