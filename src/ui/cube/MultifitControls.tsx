/** Multifit settings, Start / Cancel and progress of the spectrum-image panel (CubePanel). */
import { useEffect, useState } from 'react';
import type { MultifitOrder } from '../../core/cube/multifit';
import type { VarianceMode } from '../../core/cube/pixel-fitter';
import { defaultChi2Window, seedRedChi2, type CubeView } from '../../core/cube/session-maps';
import { setCubeSettings } from '../../state/cube-actions';
import type { MultifitProgress, MultifitSummary } from '../../state/cube-store';
import { fmt, parseNumber } from '../format';

const ORDER_TITLES: Record<MultifitOrder, string> = {
  smart: 'from the seed pixels outwards; each pixel starts from its fitted neighbours',
  serpentine: 'rows in turn, odd rows right to left; each pixel starts from the previous one',
  flyback: 'every row left to right; each pixel starts from the previous one',
};

const VARIANCE_LABELS: Record<VarianceMode, string> = {
  poisson: 'Poisson estimate (max(counts, 1))',
  sigma: 'noise map (sigma)',
  auto: 'noise map when present, else unit',
  unit: 'unit weights',
};

interface Props {
  view: CubeView;
  workers: number;
  running: boolean;
  progress: MultifitProgress | null;
  lastRun: MultifitSummary | null;
  statistic: string;
  hasSigma: boolean;
  onOrder(o: MultifitOrder): void;
  onVariance(v: VarianceMode): void;
  onVarianceFile(file: { name: string; bytes: Uint8Array }): void;
  onWorkers(n: number | null): void;
  onStart(): void;
  onCancel(): void;
}

function WindowInput({ label, value, placeholder, onCommit }: { label: string; value: number | null; placeholder: string; onCommit(v: number | null): void }) {
  const [text, setText] = useState(value === null ? '' : String(value));
  useEffect(() => setText(value === null ? '' : String(value)), [value]);
  return (
    <input
      className="cube-num"
      aria-label={label}
      value={text}
      placeholder={placeholder}
      onChange={(e) => setText(e.currentTarget.value)}
      onBlur={() => {
        const v = parseNumber(text);
        onCommit(v === undefined || v === null || !Number.isFinite(v) ? null : v);
      }}
      onKeyDown={(e) => {
        if (e.key === 'Enter') (e.currentTarget as HTMLInputElement).blur();
      }}
    />
  );
}

export function MultifitControls(p: Props) {
  const { view } = p;
  const fallback = defaultChi2Window(seedRedChi2(view));
  const win = view.chi2Window;
  const setWindow = (i: 0 | 1, v: number | null) => {
    if (v === null) {
      setCubeSettings({ chi2Window: null });
      return;
    }
    const base: [number, number] = win ?? fallback ?? [0, Infinity];
    const next: [number, number] = i === 0 ? [Math.max(0, v), base[1]] : [base[0], v];
    if (!(next[1] >= next[0]) || !Number.isFinite(next[1])) return;
    setCubeSettings({ chi2Window: next });
  };
  const prog = p.progress;
  return (
    <fieldset className="cube-multifit" aria-label="Multifit">
      <legend>Multifit: every pixel</legend>
      <div className="fit-row">
        <label title={ORDER_TITLES[view.order]}>
          Order{' '}
          <select aria-label="Multifit order" value={view.order} disabled={p.running} onChange={(e) => p.onOrder(e.currentTarget.value as MultifitOrder)}>
            <option value="smart">smart (from seeds)</option>
            <option value="serpentine">serpentine</option>
            <option value="flyback">flyback</option>
          </select>
        </label>
        <label>
          Workers{' '}
          <input className="cube-num" type="number" min={1} max={64} aria-label="Workers" value={p.workers} disabled={p.running} onChange={(e) => p.onWorkers(Number(e.currentTarget.value))} />
        </label>
      </div>
      <div className="fit-row">
        <label title="Weights of the chi-square statistic (Fit panel); the Poisson likelihoods (Cash, Poisson -ln L) need none">
          Variance{' '}
          <select aria-label="Variance" value={view.variance} disabled={p.running} onChange={(e) => p.onVariance(e.currentTarget.value as VarianceMode)}>
            {(Object.keys(VARIANCE_LABELS) as VarianceMode[]).map((v) => (
              <option key={v} value={v} disabled={v === 'sigma' && !p.hasSigma}>
                {VARIANCE_LABELS[v]}
              </option>
            ))}
          </select>
        </label>
        <label className="button secondary" title="A .npy array of variances with the cube's shape (HyperSpy's noise variance); chi-square then weights by it">
          Variance map…
          <input
            type="file"
            accept=".npy"
            aria-label="Variance map file"
            disabled={p.running}
            onChange={async (e) => {
              const f = e.currentTarget.files?.[0];
              e.currentTarget.value = '';
              if (f) p.onVarianceFile({ name: f.name, bytes: new Uint8Array(await f.arrayBuffer()) });
            }}
          />
        </label>
        <span className="hint">statistic: {p.statistic} (Fit panel)</span>
      </div>
      <div className="fit-row" title="A pixel's fit is accepted when its reduced statistic lies in this window; otherwise it is retried from other starts and, failing that, flagged failed">
        <span>Goodness window</span>
        <WindowInput label="Window low" value={win ? win[0] : null} placeholder={fallback ? fmt(fallback[0], 3) : '0'} onCommit={(v) => setWindow(0, v)} />
        <span>–</span>
        <WindowInput label="Window high" value={win ? win[1] : null} placeholder={fallback ? fmt(fallback[1], 3) : 'auto'} onCommit={(v) => setWindow(1, v)} />
        <span className="hint" data-testid="cube-window-note">
          {win ? 'set by you' : fallback ? `default: 3 × median of ${seedRedChi2(view).length} seed fit${seedRedChi2(view).length === 1 ? '' : 's'}` : 'default: 3 × median of the seed fits (none yet)'}
        </span>
        {win && (
          <button type="button" onClick={() => setCubeSettings({ chi2Window: null })}>
            Default
          </button>
        )}
      </div>
      <div className="fit-row">
        <button type="button" className="primary" onClick={p.onStart} disabled={p.running}>
          Start multifit
        </button>
        {p.running && (
          <>
            <button type="button" onClick={p.onCancel}>
              Cancel multifit
            </button>
            <progress aria-label="Multifit progress" max={prog?.total ?? 1} value={prog?.done ?? 0} />
          </>
        )}
        <span className="progress-text" data-testid="cube-progress" aria-live="polite">
          {p.running && prog
            ? `${prog.done} / ${prog.total} pixels · ${fmt(prog.pixelsPerSecond, 3)} px/s · ${prog.workers} worker${prog.workers === 1 ? '' : 's'}${prog.linear ? ' · linear fast path' : ''}`
            : p.lastRun
              ? `${p.lastRun.cancelled ? 'cancelled: ' : 'done: '}${p.lastRun.done} / ${p.lastRun.total} pixels in ${fmt(p.lastRun.elapsedMs / 1000, 3)} s (${fmt(p.lastRun.pixelsPerSecond, 3)} px/s, ${p.lastRun.workers} worker${p.lastRun.workers === 1 ? '' : 's'}${p.lastRun.linear ? ', linear fast path' : ''}) · ${p.lastRun.accepted} accepted, ${p.lastRun.retried} after a retry, ${p.lastRun.failed} failed`
              : ''}
        </span>
      </div>
    </fieldset>
  );
}
