/** Messages between the page and the multifit workers (plain, structured-cloneable objects). */
import type { BlockJob, BlockResult, PixelBatch } from '../core/cube/parallel';

export interface MultifitWorkerApi {
  /**
   * Fits one block of pixels (core/cube/parallel.ts runBlock). `cancel` is an Int32Array over a
   * SharedArrayBuffer (cancel[0] = 1 stops between pixels and returns the pixels fitted so far) or
   * null when the page is not cross-origin isolated. Fitted pixels stream to `onBatch`.
   */
  run(job: BlockJob, cancel: Int32Array | null, onBatch: (batch: PixelBatch) => void): Promise<BlockResult>;
}
