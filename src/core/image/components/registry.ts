/** The built-in 2D (image) component types, by type name. Parameter names follow AstroPhot. */
import type { ComponentType } from '../../model/component-type';
import { sersic } from './sersic';
import { exponentialDisk } from './exponential-disk';
import { gaussian2d } from './gaussian2d';
import { moffat2d } from './moffat2d';
import { flatSky, planeSky } from './sky';
import { pointSource } from './point-source';

const ordered: ComponentType[] = [sersic, exponentialDisk, gaussian2d, moffat2d, pointSource, flatSky, planeSky];

/** Type name -> descriptor (no prototype, so only real type names are keys). */
export const imageComponentTypes: Record<string, ComponentType> = Object.create(null);
for (const t of ordered) imageComponentTypes[t.type] = t;

/** Type names in display order. */
export const imageComponentTypeNames: string[] = ordered.map((t) => t.type);

/** The descriptor of a 2D type name, or undefined if there is none. */
export function getImageComponentType(type: string): ComponentType | undefined {
  return Object.prototype.hasOwnProperty.call(imageComponentTypes, type) ? imageComponentTypes[type] : undefined;
}

export { sersic, exponentialDisk, gaussian2d, moffat2d, pointSource, flatSky, planeSky };
