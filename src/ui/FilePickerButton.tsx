/** A button that opens the file picker (or a folder picker) and loads what is chosen like dropped files. */
import { loadDropped } from '../state/session-actions';
import { readFiles } from './read-files';

export function FilePickerButton({ label, title, accept, secondary, folder }: { label: string; title?: string; accept?: string; secondary?: boolean; folder?: boolean }) {
  return (
    <label className={secondary ? 'button secondary' : 'button'} title={title}>
      {label}
      <input
        type="file"
        aria-label={label}
        multiple
        accept={accept}
        {...(folder ? ({ webkitdirectory: '' } as Record<string, string>) : {})}
        onChange={async (e) => {
          const input = e.currentTarget;
          const files = input.files ? Array.from(input.files) : [];
          input.value = '';
          if (files.length > 0) loadDropped(await readFiles(files));
        }}
      />
    </label>
  );
}
