import { useEffect, useRef } from 'react';
import { redo, undo } from '../state/undo';
import { exportCurves, exportParameters, makeShareLink, saveSessionFile } from '../state/session-actions';
import { useApp } from './use-app';

function isTextField(t: EventTarget | null): boolean {
  if (!(t instanceof HTMLElement)) return false;
  if (t instanceof HTMLTextAreaElement) return true;
  return t instanceof HTMLInputElement && !['range', 'checkbox', 'button', 'file'].includes(t.type);
}

/** Undo/redo (buttons and Ctrl+Z, Ctrl+Shift+Z / Ctrl+Y), share link, session file and exports. */
export function SessionBar() {
  const canUndo = useApp((s) => s.canUndo);
  const canRedo = useApp((s) => s.canRedo);
  const shareUrl = useApp((s) => s.shareUrl);
  const hasResult = useApp((s) => s.session.result !== null);
  const menu = useRef<HTMLDetailsElement>(null);
  const pick = (f: () => void) => () => {
    if (menu.current) menu.current.open = false;
    f();
  };

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (!(e.ctrlKey || e.metaKey) || isTextField(e.target)) return;
      const k = e.key.toLowerCase();
      if (k === 'z' && !e.shiftKey) {
        e.preventDefault();
        undo();
      } else if ((k === 'z' && e.shiftKey) || k === 'y') {
        e.preventDefault();
        redo();
      }
    };
    addEventListener('keydown', onKey);
    return () => removeEventListener('keydown', onKey);
  }, []);

  return (
    <div className="sessionbar">
      <button type="button" onClick={undo} disabled={!canUndo} title="Undo (Ctrl+Z)">
        Undo
      </button>
      <button type="button" onClick={redo} disabled={!canRedo} title="Redo (Ctrl+Shift+Z or Ctrl+Y)">
        Redo
      </button>
      <button type="button" onClick={makeShareLink} title="A link that holds the whole session (data included)">
        Share link
      </button>
      {shareUrl && (
        <input className="share-url" aria-label="Share link URL" readOnly value={shareUrl} onFocus={(e) => e.currentTarget.select()} />
      )}
      <button type="button" onClick={saveSessionFile} title="Download the session as a .fitbench.json file (open it with Load data or by dropping it)">
        Save session
      </button>
      <details className="export-menu" ref={menu}>
        <summary>Export</summary>
        <div className="export-items">
          <button type="button" disabled={!hasResult} onClick={pick(() => exportParameters('csv'))}>
            Parameters CSV
          </button>
          <button type="button" disabled={!hasResult} onClick={pick(() => exportParameters('json'))}>
            Parameters JSON
          </button>
          <button type="button" onClick={pick(exportCurves)}>
            Model and residuals CSV
          </button>
        </div>
      </details>
    </div>
  );
}
