import { AlertArea } from './AlertArea';
import { DataBar } from './DataBar';
import { DropZone } from './DropZone';
import { FitPanel } from './FitPanel';
import { ModelPanel } from './ModelPanel';
import { ResultsTable } from './ResultsTable';
import { SpectrumPlot } from './SpectrumPlot';

export function App() {
  return (
    <DropZone>
      <header className="topbar">
        <h1>Fitbench</h1>
        <DataBar />
      </header>
      <AlertArea />
      <main className="layout">
        <section className="plot-column">
          <SpectrumPlot />
          <ResultsTable />
        </section>
        <aside className="side-column">
          <FitPanel />
          <ModelPanel />
        </aside>
      </main>
    </DropZone>
  );
}
