import { useState, type ReactNode, type DragEvent } from 'react';
import { loadDropped } from '../state/session-actions';
import { readDrop } from './read-files';

/** Files dropped anywhere on the window are loaded. */
export function DropZone({ children }: { children: ReactNode }) {
  const [over, setOver] = useState(false);
  const onDrop = async (e: DragEvent) => {
    e.preventDefault();
    setOver(false);
    if (e.dataTransfer.files.length > 0 || e.dataTransfer.items.length > 0) loadDropped(await readDrop(e.dataTransfer));
  };
  return (
    <div
      className={over ? 'app drop-over' : 'app'}
      onDragOver={(e) => {
        e.preventDefault();
        setOver(true);
      }}
      onDragLeave={(e) => {
        if (e.currentTarget === e.target) setOver(false);
      }}
      onDrop={onDrop}
    >
      {children}
      {over && <div className="drop-hint">Drop data files to load them</div>}
    </div>
  );
}
