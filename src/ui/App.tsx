import { AlertArea } from './AlertArea';
import { DataBar } from './DataBar';
import { DropZone } from './DropZone';
import { FitPanel } from './FitPanel';
import { ModelPanel } from './ModelPanel';
import { ResultsTable } from './ResultsTable';
import { SpectrumPlot } from './SpectrumPlot';
import { SessionBar } from './SessionBar';
import { StoredModels } from './StoredModels';
import { DatasetsPanel } from './DatasetsPanel';
import { UncertaintyPanel } from './UncertaintyPanel';
import { SamplerPanel } from './SamplerPanel';

export function App() {
  return (
    <DropZone>
      <header className="topbar">
        <h1>Fitbench</h1>
        <DataBar />
        <SessionBar />
      </header>
      <AlertArea />
      <main className="layout">
        <section className="plot-column">
          <SpectrumPlot />
          <ResultsTable />
          <DatasetsPanel />
        </section>
        <aside className="side-column">
          <FitPanel />
          <UncertaintyPanel />
          <SamplerPanel />
          <ModelPanel />
          <StoredModels />
        </aside>
      </main>
    </DropZone>
  );
}
