import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './ui/App';
import * as actions from './state/actions';
import { store } from './state/store';
import './ui/styles.css';

/** Scripting handle for the console, the benchmark and automation: the store and its actions. */
(window as unknown as { fitbench: unknown }).fitbench = { store, actions };

actions.loadDemo();
createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
