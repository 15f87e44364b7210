/** `fit <data file>`: one dataset, a model from the arguments, the core's fitModel. */
import { fitModel } from '../core/fit/fit-model';
import type { FitSettings, MethodName, StatisticName } from '../core/fit/settings';
import { defaultFitSettings } from '../core/fit/settings';
import { parseNumberArg, single, UsageError, type ParsedArgs } from './args';
import { loadDataset } from './load-data';
import { modelFromArgs } from './model-args';
import { fitResultJson, fitResultTable } from './output';

const METHODS: MethodName[] = ['auto', 'lm', 'simplex', 'lbfgsb'];
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
  return settings;
}

export interface CommandOutput {
  code: number;
  stdout: string;
}

export function fitCommand(args: ParsedArgs): CommandOutput {
  if (args.positionals.length !== 1) throw new UsageError('fit takes one data file');
  const dataset = loadDataset(args.positionals[0], args);
  const model = modelFromArgs(args, Object.keys(dataset.coords));
  const settings = settingsFromArgs(args);
  const result = fitModel(dataset, model, settings, {});
  const json = args.switches.has('json');
  return {
    code: result.converged ? 0 : 1,
    stdout: json ? JSON.stringify(fitResultJson(result)) : fitResultTable(result),
  };
}
