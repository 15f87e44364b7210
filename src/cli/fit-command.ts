/** `fit <data file>`: one dataset, a model from the arguments, the core's fitModel (several datasets: joint-command.ts). */
import { fitModel } from '../core/fit/fit-model';
import type { FitSettings, MethodName, StatisticName } from '../core/fit/settings';
import { defaultFitSettings } from '../core/fit/settings';
import { parseNumberArg, single, UsageError, type ParsedArgs } from './args';
import type { Dataset } from '../core/data/dataset';
import type { ModelDoc } from '../core/model/document';
import { DataError, loadDataset, readSessionIfAny } from './load-data';
import { applyParameterArgs, modelFromArgs } from './model-args';
import { fitResultJson, fitResultTable } from './output';
import { hasJointFlags, jointFitCommand } from './joint-command';
import type { SessionDoc } from '../core/session/document';

const METHODS: MethodName[] = ['auto', 'lm', 'simplex', 'lbfgsb', 'iter', 'iterlm', 'adam'];
const STATS: StatisticName[] = ['chi2', 'cash', 'gauss', 'poisson'];

export function settingsFromArgs(args: ParsedArgs, base: FitSettings = defaultFitSettings()): FitSettings {
  const settings = { ...base };
  const method = single(args, 'method');
  if (method !== undefined) {
    if (!METHODS.includes(method as MethodName)) throw new UsageError(`--method must be one of ${METHODS.join(', ')}`);
    settings.method = method as MethodName;
  }
  const stat = single(args, 'stat');
  if (stat !== undefined) {
    if (!STATS.includes(stat as StatisticName)) throw new UsageError(`--stat must be one of ${STATS.join(', ')}`);
    settings.statistic = stat as StatisticName;
  }
  const maxIter = single(args, 'max-iter');
  if (maxIter !== undefined) settings.maxIterations = parseNumberArg(maxIter, '--max-iter');
  const chunk = single(args, 'chunk');
  if (chunk !== undefined) {
    const c = parseNumberArg(chunk, '--chunk');
    if (!Number.isInteger(c) || c < 1) throw new UsageError(`--chunk must be a whole number >= 1, got "${chunk}"`);
    settings.jacobianChunk = c;
  }
  return settings;
}

export interface CommandOutput {
  code: number;
  stdout: string;
}

/** The dataset, model and settings a fit command works on: a data file plus model options, or a session file. */
export function fitInputs(args: ParsedArgs): { dataset: Dataset; model: ModelDoc; settings: FitSettings } {
  if (args.positionals.length !== 1) throw new UsageError(`${args.command} takes one data or session file`);
  const path = args.positionals[0];
  return inputsFrom(args, path, readSessionIfAny(path));
}

function inputsFrom(args: ParsedArgs, path: string, session: SessionDoc | null): { dataset: Dataset; model: ModelDoc; settings: FitSettings } {
  if (session) {
    const dataset = session.datasets[session.activeDataset];
    if (!dataset) throw new DataError(`${path}: the session holds no dataset`);
    const hasModelArgs = args.flags.has('model') || args.flags.has('component');
    const model = hasModelArgs ? modelFromArgs(args, Object.keys(dataset.coords)) : applyParameterArgs(session.model, args);
    return { dataset, model, settings: settingsFromArgs(args, session.fit) };
  }
  const dataset = loadDataset(path, args);
  const model = modelFromArgs(args, Object.keys(dataset.coords));
  return { dataset, model, settings: settingsFromArgs(args) };
}

export function fitCommand(args: ParsedArgs): CommandOutput {
  // several datasets (files, or a session holding several), joint options or --sequential: joint-command.ts
  if (args.positionals.length > 1 || hasJointFlags(args) || args.switches.has('sequential')) return jointFitCommand(args);
  if (args.positionals.length !== 1) throw new UsageError(`${args.command} takes one data or session file`);
  const path = args.positionals[0];
  const session = readSessionIfAny(path);
  if (session && session.datasets.length > 1) return jointFitCommand(args, session);
  const { dataset, model, settings } = inputsFrom(args, path, session);
  const result = fitModel(dataset, model, settings, { now: () => performance.now() });
  const json = args.switches.has('json');
  return {
    code: result.converged ? 0 : 1,
    stdout: json ? JSON.stringify(fitResultJson(result)) : fitResultTable(result),
  };
}
