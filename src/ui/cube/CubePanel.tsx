/**
 * The spectrum-image panel, shown when the active dataset is a cube: the navigator (sum image or
 * any map, colour bar, click / arrow keys select the pixel whose spectrum, model and residual the
 * plot shows), the map chooser, the chosen map's histogram and statistics, the selected pixel's
 * numbers, the multifit controls and the exports. Thin: the numbers come from src/core/cube.
 */
import { useMemo } from 'react';
import { useStore } from 'zustand';
import { fitChannels } from '../../core/cube/cube';
import { mapStatistics, STRETCHES, sumImage, type Stretch } from '../../core/cube/display';
import type { MultifitOrder } from '../../core/cube/multifit';
import type { VarianceMode } from '../../core/cube/pixel-fitter';
import { defaultCubeView, mapOf, type CubeMaps, type MapKind } from '../../core/cube/session-maps';
import { STATISTIC_LABELS } from '../../core/fit/settings';
import { loadVarianceMap } from '../../state/cube-actions';
import { cancelMultifit, clearSeeds, exportMapNpy, exportMapsCsv, movePixel, selectPixel, setNavigatorMap, setOrder, setStretch, setVariance, setWorkers, startMultifit, useAsSeed } from '../../state/cube-actions';
import { cubeStore, type NavigatorMap } from '../../state/cube-store';
import { saveSessionFile } from '../../state/session-actions';
import { activeCube } from '../../state/cube-session';
import { defaultWorkerCount } from '../../workers/multifit-pool';
import { fmt } from '../format';
import { Heatmap } from '../heatmap/Heatmap';
import { useApp } from '../use-app';
import { AxisCalibrationForm } from './AxisCalibrationForm';
import { MapHistogram } from './MapHistogram';
import { MultifitControls } from './MultifitControls';
import './cube.css';

const STATUS_TEXT = ['not fitted', 'accepted', 'accepted after a retry', 'failed'];

const KIND_LABELS: Record<NavigatorMap, string> = {
  sum: 'sum over the signal range',
  value: 'value',
  error: 'error',
  redChi2: 'reduced statistic',
  failed: 'failed pixels',
  status: 'status',
};

const DEFAULT_VIEW = defaultCubeView();

export function CubePanel() {
  const cube = useApp((s) => activeCube(s.session));
  if (!cube) return null;
  return <CubeView key={cube.name} />;
}

function CubeView() {
  const cube = useApp((s) => activeCube(s.session))!;
  const stored = useApp((s) => s.session.cube?.[cube.name]);
  const view = stored ?? DEFAULT_VIEW;
  const ranges = useApp((s) => s.session.fit.ranges);
  const model = useApp((s) => s.session.model);
  const ui = useStore(cubeStore);
  const [rows, cols, channels] = cube.shape;
  const P = rows * cols;
  const selected = Math.min(Math.max(0, view.selected), P - 1);

  const sum = useMemo(() => {
    try {
      return sumImage(cube, ranges.length > 0 ? fitChannels(cube, ranges) : undefined);
    } catch {
      return sumImage(cube);
    }
  }, [cube, ranges]);

  const live = ui.running && ui.runningDataset === cube.name ? ui.live : null;
  // the maps shown: the running multifit's live maps, else the session's
  const maps: CubeMaps | null = useMemo(() => {
    if (live) return { rows, cols, values: live.maps, errors: live.errors, redChi2: live.redChi2, status: live.status, statistic: 'chi2' };
    return view.maps;
    // liveVersion: the live arrays change in place
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [live, ui.liveVersion, view.maps, rows, cols]);

  const modelKeys = useMemo(() => model.components.filter((c) => c.active).flatMap((c) => Object.entries(c.params).map(([p]) => `${c.name}.${p}`)), [model]);
  const valueKeys = maps ? Object.keys(maps.values) : modelKeys;
  const errorKeys = maps ? Object.keys(maps.errors) : [];
  const kind: NavigatorMap = ui.mapKind === 'sum' || maps ? ui.mapKind : 'sum';
  const keyList = kind === 'error' ? errorKeys : valueKeys;
  const key = ui.mapKey && keyList.includes(ui.mapKey) ? ui.mapKey : (keyList[0] ?? null);

  const shown = useMemo((): Float64Array | null => {
    if (kind === 'sum') return sum;
    if (!maps) return null;
    const m = mapOf(maps, kind as MapKind, key);
    // copies while live: the arrays are filled in place
    return m && live ? m.slice() : m;
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [kind, key, maps, sum, live, ui.liveVersion]);

  const stats = useMemo(() => (shown ? mapStatistics(shown) : null), [shown]);
  const statName = maps?.statistic ?? 'chi2';
  const mapTitle = kind === 'sum' ? 'counts' : kind === 'value' ? (key ?? '') : kind === 'error' ? `σ ${key ?? ''}` : kind === 'redChi2' ? `reduced ${statName}` : kind;
  const r = Math.floor(selected / cols);
  const c = selected % cols;

  return (
    <section className="panel cube-panel" aria-label="Spectrum image">
      <h2>
        Spectrum image <span className="cube-shape">{rows} × {cols} pixels, {channels} channels</span>
      </h2>
      <AxisCalibrationForm key={`${cube.coords.x[0]}:${cube.coords.x.length}`} cube={cube} />
      <div className="cube-grid">
        <div className="cube-nav">
          <div className="fit-row">
            <label>
              Map{' '}
              <select aria-label="Navigator map" value={kind} onChange={(e) => setNavigatorMap(e.currentTarget.value as NavigatorMap)}>
                {(Object.keys(KIND_LABELS) as NavigatorMap[]).map((k) => (
                  <option key={k} value={k} disabled={k !== 'sum' && !maps}>
                    {KIND_LABELS[k]}
                  </option>
                ))}
              </select>
            </label>
            {(kind === 'value' || kind === 'error') && (
              <label>
                Parameter{' '}
                <select aria-label="Map parameter" value={key ?? ''} onChange={(e) => setNavigatorMap(kind, e.currentTarget.value)}>
                  {keyList.map((k) => (
                    <option key={k} value={k}>
                      {k}
                    </option>
                  ))}
                </select>
              </label>
            )}
            <label>
              Stretch{' '}
              <select aria-label="Stretch" value={ui.stretch} onChange={(e) => setStretch(e.currentTarget.value as Stretch)} disabled={kind === 'failed' || kind === 'status'}>
                {STRETCHES.map((s) => (
                  <option key={s} value={s}>
                    {s}
                  </option>
                ))}
              </select>
            </label>
          </div>
          {shown ? (
            <Heatmap
              ariaLabel="Navigator: click a pixel or use the arrow keys"
              testId="cube-navigator"
              values={shown}
              rows={rows}
              cols={cols}
              stretch={ui.stretch}
              colourScale={kind === 'failed' ? 'failed' : kind === 'status' ? 'status' : 'Viridis'}
              colourbarTitle={mapTitle}
              selected={selected}
              marked={view.seeds}
              onSelect={(row, col) => selectPixel(row * cols + col)}
              onStep={movePixel}
            />
          ) : (
            <p className="hint">No map yet.</p>
          )}
          <p className="cube-pixel" data-testid="cube-pixel" aria-live="polite">
            Pixel (row {r}, col {c}) · sum {fmt(sum[selected], 6)}
            {maps && (
              <>
                {' '}
                · {STATUS_TEXT[maps.status[selected]] ?? 'unknown'} · reduced {statName} {fmt(maps.redChi2[selected], 4)}
              </>
            )}
            {view.seeds.includes(selected) && ' · seed'}
          </p>
          <div className="fit-row">
            <button type="button" onClick={useAsSeed} disabled={ui.running} title="Smart multifits start from the seeds' values; fit a pixel (Fit) to make it a seed with its fitted values">
              Use this pixel as a seed
            </button>
            <button type="button" onClick={clearSeeds} disabled={ui.running || view.seeds.length === 0}>
              Clear seeds
            </button>
            <span className="hint">
              {view.seeds.length === 0 ? 'no seeds' : `seeds: ${view.seeds.map((p) => `(${Math.floor(p / cols)}, ${p % cols})`).join(' ')}`}
            </span>
          </div>
          {maps && <PixelTable maps={maps} pixel={selected} />}
        </div>
        <div className="cube-side">
          {shown && <MapHistogram values={shown} title={mapTitle} />}
          {stats && (
            <p className="cube-stats" data-testid="cube-map-stats">
              {stats.count} pixels · mean {fmt(stats.mean, 4)} · median {fmt(stats.median, 4)} · std {fmt(stats.std, 3)} · min {fmt(stats.min, 4)} · max {fmt(stats.max, 4)}
              {stats.nonFinite > 0 && ` · ${stats.nonFinite} without a value`}
            </p>
          )}
          <MultifitControls
            view={view}
            workers={ui.workers ?? defaultWorkerCount()}
            running={ui.running}
            progress={ui.progress}
            lastRun={ui.lastRun}
            statistic={STATISTIC_LABELS[statName]}
            onOrder={(o: MultifitOrder) => setOrder(o)}
            onVariance={(v: VarianceMode) => setVariance(v)}
            onVarianceFile={loadVarianceMap}
            onWorkers={setWorkers}
            onStart={() => void startMultifit()}
            onCancel={cancelMultifit}
            hasSigma={!!cube.sigma}
          />
          <div className="fit-row">
            <button type="button" disabled={!shown} onClick={() => shown && exportMapNpy(shown, kind, key)} title="The map shown, float64, shape (rows, cols)">
              Map NPY
            </button>
            <button type="button" disabled={!view.maps} onClick={exportMapsCsv} title="Every value and error map, the reduced statistic and the status, one line per pixel">
              Maps CSV
            </button>
            <button type="button" onClick={saveSessionFile} title="The cube, the model and every map as a .fitbench.json file (spectrum images are usually too large for a share link)">
              Save session file
            </button>
          </div>
        </div>
      </div>
    </section>
  );
}

function PixelTable({ maps, pixel }: { maps: CubeMaps; pixel: number }) {
  const keys = Object.keys(maps.values);
  return (
    <table className="params-table cube-pixel-table" aria-label="Pixel values">
      <thead>
        <tr>
          <th scope="col">Parameter</th>
          <th scope="col">Value</th>
          <th scope="col">Error</th>
        </tr>
      </thead>
      <tbody>
        {keys.map((k) => (
          <tr key={k}>
            <td>{k}</td>
            <td>{fmt(maps.values[k][pixel])}</td>
            <td>{maps.errors[k] ? fmt(maps.errors[k][pixel], 3) : 'fixed'}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
