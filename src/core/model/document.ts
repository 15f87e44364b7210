/**
 * The model part of the session document: plain JSON, no class instances.
 * Parameter keys in the CLI and in results are `<component name>.<parameter>`.
 */
import type { ComponentOptions } from './component-type';

export interface PriorDoc {
  kind: 'uniform' | 'loguniform' | 'gaussian' | 'truncgaussian';
  /** uniform / loguniform bounds, truncation bounds */
  lower?: number;
  upper?: number;
  /** gaussian mean and sd */
  mu?: number;
  sigma?: number;
}

export interface TwinDoc {
  /** source parameter key `<component>.<parameter>` */
  source: string;
  /** optional function of the source value, written in `x` (e.g. `3*x + 1`) */
  expr?: string;
}

export interface ParameterDoc {
  value: number;
  lower: number | null;
  upper: number | null;
  fixed: boolean;
  twin?: TwinDoc;
  prior?: PriorDoc;
}

export interface ComponentDoc {
  name: string;
  type: string;
  active: boolean;
  options?: ComponentOptions;
  params: Record<string, ParameterDoc>;
}

export interface ModelDoc {
  components: ComponentDoc[];
}

/** `<component>.<parameter>`; a model given as one bare expression (component name '') uses bare symbols. */
export function paramKey(component: string, param: string): string {
  return component === '' ? param : `${component}.${param}`;
}
