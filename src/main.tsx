import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './ui/App';
import * as actions from './state/actions';
import * as sessionActions from './state/session-actions';
import { store } from './state/store';
import { resetHistory } from './state/undo';
import { flushAutosave, readAutosave, startAutosave } from './state/persist';
import './ui/styles.css';

/** Scripting handle for the console, the benchmark and automation: the store and its actions. */
(window as unknown as { fitbench: unknown }).fitbench = { store, actions, sessionActions, flushAutosave };

/** Start-up: a share link in the URL wins, then the autosaved session, then the demo. */
async function boot(): Promise<void> {
  let from: 'link' | 'autosave' | 'demo' = 'demo';
  if (sessionActions.openFromLocation()) from = 'link';
  else {
    const { doc, problem } = await readAutosave();
    if (problem) actions.alert(`The autosaved session could not be restored: ${problem}`);
    if (doc && doc.datasets.length > 0) {
      sessionActions.openSession(doc);
      from = 'autosave';
    } else {
      actions.loadDemo();
      resetHistory();
    }
  }
  store.setState({ restoredFrom: from });
  startAutosave();
  addEventListener('hashchange', () => sessionActions.openFromLocation());
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
void boot();
