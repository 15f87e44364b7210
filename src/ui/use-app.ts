import { useStore } from 'zustand';
import { store, type AppState } from '../state/store';

/** Narrow selector hook over the app store. */
export function useApp<T>(selector: (s: AppState) => T): T {
  return useStore(store, selector);
}
