import { describe, expect, it } from 'vitest';
import { createHistory } from './history';

interface Doc {
  n: number;
  data: Float64Array;
}

describe('createHistory', () => {
  it('undoes and redoes in order', () => {
    const h = createHistory('a');
    expect(h.current).toBe('a');
    expect(h.canUndo).toBe(false);
    expect(h.canRedo).toBe(false);
    expect(h.undo()).toBeNull();
    expect(h.redo()).toBeNull();
    h.push('b');
    h.push('c');
    expect(h.current).toBe('c');
    expect(h.undoDepth).toBe(2);
    expect(h.undo()).toBe('b');
    expect(h.undo()).toBe('a');
    expect(h.undo()).toBeNull();
    expect(h.current).toBe('a');
    expect(h.canRedo).toBe(true);
    expect(h.redo()).toBe('b');
    expect(h.redo()).toBe('c');
    expect(h.redo()).toBeNull();
    expect(h.current).toBe('c');
  });

  it('a new push after undo drops the redo steps', () => {
    const h = createHistory(0);
    h.push(1);
    h.push(2);
    h.undo();
    h.push(3);
    expect(h.canRedo).toBe(false);
    expect(h.redo()).toBeNull();
    expect(h.undo()).toBe(1);
    expect(h.undo()).toBe(0);
  });

  it('pushing the current document again adds no step', () => {
    const h = createHistory('a');
    h.push('a');
    expect(h.canUndo).toBe(false);
    h.push('b');
    h.push('b');
    expect(h.undoDepth).toBe(1);
  });

  it('coalesces a slider drag into one step', () => {
    const h = createHistory(0);
    h.push(1); // some earlier edit
    for (let v = 10; v <= 50; v += 10) h.push(v, { coalesceKey: 'g1.A' });
    h.endGesture();
    expect(h.current).toBe(50);
    expect(h.undoDepth).toBe(2);
    expect(h.undo()).toBe(1); // the whole drag at once
    expect(h.redo()).toBe(50);
    expect(h.undo()).toBe(1);
    expect(h.undo()).toBe(0);
  });

  it('starts a new step after endGesture, or for another key, or an unkeyed push', () => {
    const h = createHistory(0);
    h.push(1, { coalesceKey: 'a' });
    h.push(2, { coalesceKey: 'a' });
    h.endGesture();
    h.push(3, { coalesceKey: 'a' }); // a second drag of the same slider
    h.push(4, { coalesceKey: 'b' }); // another slider
    h.push(5, { coalesceKey: 'b' });
    h.push(6); // a button
    h.push(7, { coalesceKey: 'b' });
    expect(h.undoDepth).toBe(5);
    expect(h.undo()).toBe(6);
    expect(h.undo()).toBe(5);
    expect(h.undo()).toBe(3);
    expect(h.undo()).toBe(2);
    expect(h.undo()).toBe(0);
  });

  it('undo ends the gesture, so a later push with the same key is a new step', () => {
    const h = createHistory(0);
    h.push(1, { coalesceKey: 'a' });
    h.push(2, { coalesceKey: 'a' });
    expect(h.undo()).toBe(0);
    h.push(3, { coalesceKey: 'a' });
    h.push(4, { coalesceKey: 'a' });
    expect(h.canRedo).toBe(false);
    expect(h.undoDepth).toBe(1);
    expect(h.undo()).toBe(0);
    expect(h.redo()).toBe(4);
  });

  it('keeps at most `limit` undo steps', () => {
    const h = createHistory(0, { limit: 3 });
    for (let i = 1; i <= 10; i++) h.push(i);
    expect(h.undoDepth).toBe(3);
    expect(h.undo()).toBe(9);
    expect(h.undo()).toBe(8);
    expect(h.undo()).toBe(7);
    expect(h.undo()).toBeNull();
    expect(h.current).toBe(7);
    const none = createHistory('x', { limit: 0 });
    none.push('y');
    expect(none.canUndo).toBe(false);
    expect(none.current).toBe('y');
    expect(() => createHistory(0, { limit: -1 })).toThrow(RangeError);
    expect(() => createHistory(0, { limit: 1.5 })).toThrow(RangeError);
  });

  it('has a default limit of 200', () => {
    const h = createHistory(0);
    for (let i = 1; i <= 250; i++) h.push(i);
    expect(h.undoDepth).toBe(200);
  });

  it('stores documents by reference (shared big arrays are not copied)', () => {
    const data = new Float64Array(1_000_000);
    const d0: Doc = { n: 0, data };
    const h = createHistory<Doc>(d0);
    const d1: Doc = { ...d0, n: 1 };
    h.push(d1);
    expect(h.undo()).toBe(d0);
    expect(h.redo()).toBe(d1);
    expect(h.current.data).toBe(data);
  });

  it('reset forgets all steps', () => {
    const h = createHistory('a');
    h.push('b', { coalesceKey: 'k' });
    h.push('c');
    h.undo();
    h.reset('z');
    expect(h.current).toBe('z');
    expect(h.canUndo).toBe(false);
    expect(h.canRedo).toBe(false);
    h.push('y', { coalesceKey: 'k' });
    expect(h.undo()).toBe('z');
  });
});
