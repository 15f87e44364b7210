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
import { HierarchyPanel } from './HierarchyPanel';
import { CubePanel } from './cube/CubePanel';
import { ImageView } from './image/ImageView';
import { ImageDemoButton } from './image/ImageDemoButton';
import { useApp } from './use-app';

export function App() {
  const isImage = useApp((s) => s.session.datasets[s.session.activeDataset]?.kind === 'image');
  return (
    <DropZone>
      <header className="topbar">
        <h1>Fitbench</h1>
        <DataBar />
        <ImageDemoButton />
        <SessionBar />
      </header>
      <AlertArea />
      <main className="layout">
        <section className="plot-column">
          <CubePanel />
          {isImage ? <ImageView /> : <SpectrumPlot />}
          <ResultsTable />
          <DatasetsPanel />
          <HierarchyPanel />
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
