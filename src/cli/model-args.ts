/** Builds a model document from --model / --component and applies --start, --bounds, --fix. */
import { compileExpression, ExprError } from '../core/expr';
import { EXPRESSION_TYPE } from '../core/model/compile';
import type { ModelDoc } from '../core/model/document';
import { paramKey } from '../core/model/document';
import * as edit from '../core/model/edit';
import { componentTypes } from '../core/model/components/registry';
import { keyValues, parseNumberArg, single, UsageError, type ParsedArgs } from './args';

/** `TYPE:name=value,...` (TYPE may carry an option: `Polynomial3` or `Polynomial:order=3,...`). */
function parseComponent(model: ModelDoc, spec: string, variables: string[]): ModelDoc {
  const colon = spec.indexOf(':');
  const type = (colon < 0 ? spec : spec.slice(0, colon)).trim();
  if (!Object.prototype.hasOwnProperty.call(componentTypes, type))
    throw new UsageError(`--component: unknown type "${type}" (known: ${Object.keys(componentTypes).join(', ')})`);
  const pairs = colon < 0 ? [] : keyValues(spec.slice(colon + 1), `--component ${type}`);
  const values: Record<string, number> = {};
  let order: number | undefined;
  for (const [k, v] of pairs) {
    if (k === 'order') order = parseNumberArg(v, `--component ${type} order`);
    else values[k] = parseNumberArg(v, `--component ${type} ${k}`);
  }
  const c = edit.newComponent(model, type, order !== undefined ? { order } : undefined, {}, variables);
  for (const [k, v] of Object.entries(values)) {
    if (!Object.prototype.hasOwnProperty.call(c.params, k))
      throw new UsageError(`--component ${type}: no parameter "${k}" (has ${Object.keys(c.params).join(', ')})`);
    c.params[k] = { ...c.params[k], value: v };
  }
  return edit.addComponent(model, c);
}

export function modelFromArgs(args: ParsedArgs, variables: string[]): ModelDoc {
  const expr = single(args, 'model');
  const comps = args.flags.get('component') ?? [];
  if (expr && comps.length > 0) throw new UsageError('Give either --model or --component, not both');
  if (!expr && comps.length === 0) throw new UsageError('No model: give --model EXPR or --component TYPE:...');
  let model: ModelDoc = { components: [] };
  if (expr) {
    try {
      compileExpression(expr, { variables });
    } catch (e) {
      if (e instanceof ExprError) {
        throw new UsageError(`--model: ${e.message}\n  ${expr}\n  ${' '.repeat(e.position)}${'^'.repeat(Math.max(1, e.length))}`);
      }
      throw e;
    }
    const c = edit.newComponent(model, EXPRESSION_TYPE, { expr }, {}, variables);
    model = edit.addComponent(model, { ...c, name: '' });
  } else {
    for (const spec of comps) model = parseComponent(model, spec, variables);
  }
  return applyParameterArgs(model, args);
}

function findParam(model: ModelDoc, key: string, what: string): { component: string; param: string } {
  for (const c of model.components)
    for (const p of Object.keys(c.params)) if (paramKey(c.name, p) === key) return { component: c.name, param: p };
  const known = model.components.flatMap((c) => Object.keys(c.params).map((p) => paramKey(c.name, p)));
  throw new UsageError(`${what}: no parameter "${key}" (parameters: ${known.join(', ')})`);
}

export function applyParameterArgs(model: ModelDoc, args: ParsedArgs): ModelDoc {
  for (const text of args.flags.get('start') ?? [])
    for (const [k, v] of keyValues(text, '--start')) {
      const { component, param } = findParam(model, k, '--start');
      model = edit.updateParameter(model, component, param, { value: parseNumberArg(v, `--start ${k}`) });
    }
  for (const text of args.flags.get('bounds') ?? [])
    for (const [k, v] of keyValues(text, '--bounds')) {
      const { component, param } = findParam(model, k, '--bounds');
      const parts = v.split(':');
      if (parts.length !== 2) throw new UsageError(`--bounds ${k}: expected lo:hi, got "${v}"`);
      const lo = parseNumberArg(parts[0], `--bounds ${k} lower`);
      const hi = parseNumberArg(parts[1], `--bounds ${k} upper`);
      if (lo > hi) throw new UsageError(`--bounds ${k}: lower ${lo} is above upper ${hi}`);
      model = edit.updateParameter(model, component, param, {
        lower: Number.isFinite(lo) ? lo : null,
        upper: Number.isFinite(hi) ? hi : null,
      });
    }
  for (const text of args.flags.get('fix') ?? [])
    for (const k of text.split(',').map((s) => s.trim()).filter(Boolean)) {
      const { component, param } = findParam(model, k, '--fix');
      model = edit.updateParameter(model, component, param, { fixed: true });
    }
  return model;
}
