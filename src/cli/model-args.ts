/** Builds a model document from --model / --component and applies --start, --bounds, --fix. */
import { compileExpression, ExprError } from '../core/expr';
import { EXPRESSION_TYPE } from '../core/model/compile';
import type { ModelDoc } from '../core/model/document';
import { paramKey } from '../core/model/document';
import * as edit from '../core/model/edit';
import { keyValues, parseNumberArg, single, UsageError, type ParsedArgs } from './args';
import { addComponentArg } from './component-arg';

/** `TYPE:name=value,...` (component-arg.ts: 1D types for spectra, 2D types for images; names in any case). */
function parseComponent(model: ModelDoc, spec: string, variables: string[]): ModelDoc {
  return addComponentArg(model, spec, variables.includes('y'));
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
