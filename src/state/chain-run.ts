/**
 * Runs sampler chain jobs on the worker pool and keeps a store's chain statuses and live draws up
 * to date: shared by the fit posterior's Sampler panel and the Hierarchical model panel. Chains
 * stream segments of draws; a chain that ends without its final result (cancelled, or a worker
 * that had to be terminated) keeps the draws it streamed.
 */
import type { ChainResult, EnsembleChainResult, SamplerPhase } from '../core/sample';
import { mergeSegments } from '../workers/sampler-chain';
import { samplerPoolSize, type SamplerPool, type SamplerTask } from '../workers/sampler-pool';
import type { SamplerJob } from '../workers/sampler-protocol';

export interface ChainStatus {
  phase: 'queued' | SamplerPhase | 'done' | 'stopped' | 'failed';
  iteration: number;
  total: number;
  /** kept draws so far (ensemble: steps) */
  drawn: number;
  error?: string;
}

/** kept draws of a chain (ensemble: kept steps per walker) */
export function drawnOf(r: ChainResult): number {
  return r.sampler === 'ensemble' ? (r as EnsembleChainResult).steps : r.nDraws;
}

export interface ChainRunView {
  /** patches one chain's status */
  setChain(chain: number, patch: Partial<ChainStatus>): void;
  /** the draws of a chain so far */
  setLive(chain: number, r: ChainResult): void;
  /** the task, as soon as it runs (for Cancel) */
  started(task: SamplerTask): void;
}

/**
 * The view of a zustand store holding `chains` and `live` (both panels' stores); `active()` false
 * drops updates (a run whose fit is no longer the one shown).
 */
export function storeChainView(
  store: { setState(f: (s: { chains: ChainStatus[]; live: (ChainResult | null)[] }) => Partial<{ chains: ChainStatus[]; live: (ChainResult | null)[] }>): void },
  started: (task: SamplerTask) => void,
  active: () => boolean = () => true,
): ChainRunView {
  return {
    setChain(chain, patch) {
      if (!active()) return;
      store.setState((s) => {
        const chains = s.chains.slice();
        chains[chain] = { ...chains[chain], ...patch };
        return { chains };
      });
    },
    setLive(chain, r) {
      if (!active()) return;
      store.setState((s) => {
        const live = s.live.slice();
        live[chain] = r;
        return { live };
      });
    },
    started,
  };
}

export interface ChainRunOutcome {
  /** per chain: its draws (null: none), cancelled flagged when short of `draws` */
  all: (ChainResult | null)[];
  /** chains with at least one draw, in chain order, and their chain numbers */
  results: ChainResult[];
  chainIndex: number[];
  failures: string[];
  cancelled: boolean;
  workers: number;
}

/** Queued statuses of `chains` chains of tune + draws iterations. */
export function queuedChains(chains: number, total: number): ChainStatus[] {
  return Array.from({ length: chains }, () => ({ phase: 'queued' as const, iteration: 0, total, drawn: 0 }));
}

export async function runChainJobs(pool: SamplerPool, jobs: SamplerJob[], draws: number, tune: number, view: ChainRunView): Promise<ChainRunOutcome> {
  const total = tune + draws;
  const segments: ChainResult[][] = jobs.map(() => []);
  const finals: (ChainResult | null)[] = jobs.map(() => null);
  const failures: string[] = [];
  const t = pool.run(
    jobs,
    {
      chainStarted: (chain) => view.setChain(chain, { phase: 'tune' }),
      event(e) {
        if (e.kind === 'progress') view.setChain(e.chain, { phase: e.phase, iteration: e.iteration, total: e.total });
        else {
          segments[e.chain].push(e.segment);
          const merged = mergeSegments(segments[e.chain]);
          view.setLive(e.chain, merged);
          view.setChain(e.chain, { drawn: drawnOf(merged) });
        }
      },
      chainDone(chain, r) {
        finals[chain] = r;
        const complete = drawnOf(r) >= draws;
        view.setChain(chain, { phase: complete ? 'done' : 'stopped', iteration: complete ? total : tune + drawnOf(r), drawn: drawnOf(r) });
        view.setLive(chain, r);
      },
      chainFailed(chain, msg) {
        failures.push(`chain ${chain + 1} failed: ${msg}`);
        view.setChain(chain, { phase: 'failed', error: msg });
      },
    },
    samplerPoolSize(jobs.length),
  );
  view.started(t);
  let cancelled = false;
  let workers = 1;
  try {
    const d = await t.done;
    cancelled = d.cancelled;
    workers = d.workers;
  } catch (e) {
    failures.push(e instanceof Error ? e.message : String(e));
  }
  const all = jobs.map((_, c) => {
    const r = finals[c] ?? (segments[c].length > 0 ? mergeSegments(segments[c]) : null);
    if (r && !finals[c] && drawnOf(r) < draws) r.cancelled = true;
    return r;
  });
  const results: ChainResult[] = [];
  const chainIndex: number[] = [];
  all.forEach((r, c) => {
    if (r && r.nDraws > 0) {
      results.push(r);
      chainIndex.push(c);
    }
  });
  return { all, results, chainIndex, failures, cancelled, workers };
}

/** Statuses after the run: chains neither done nor failed are 'stopped' with their kept draws. */
export function finishedChains(chains: ChainStatus[], all: (ChainResult | null)[]): ChainStatus[] {
  return chains.map((ch, c) => (ch.phase === 'done' || ch.phase === 'failed' ? ch : { ...ch, phase: 'stopped', drawn: all[c] ? drawnOf(all[c]!) : 0 }));
}
