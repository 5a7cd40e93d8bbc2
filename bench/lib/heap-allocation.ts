/**
 * Bytes allocated on the V8 heap over a window of time, in the process that calls it (the server
 * under test). V8 has no running total of allocated bytes, but the used heap only grows between
 * collections, and `v8.GCProfiler` records it before and after each one, so
 *
 *   allocated = Σ (used before GC i − used after GC i−1) + (used at the end − used after the last GC)
 *
 * with "used after GC −1" the used heap at the start. This counts JavaScript objects and strings;
 * a Buffer's bytes live outside the V8 heap and count only as their wrapper (about 180 bytes).
 * Checked by hand against node:http (50,000 keep-alive requests, 3 rounds): a handler that also
 * kept `new Array(128)` (1,072 bytes on the heap, measured retained) read +1,072 to +1,077 bytes
 * per request; one that kept `Buffer.alloc(1024)` +167 to +256 (the wrapper, not the 1,024 bytes).
 */
import v8 from 'node:v8';

/**
 * What `GCProfiler.stop()` really returns per collection (Node 20): camelCase fields, where
 * @types/node declares them as `v8.getHeapStatistics()` spells them (`used_heap_size`).
 */
interface GcRecord {
  readonly beforeGC: { readonly heapStatistics: { readonly usedHeapSize: number } };
  readonly afterGC: { readonly heapStatistics: { readonly usedHeapSize: number } };
}

/** An open measurement window; `stop()` closes it and returns the bytes allocated since it opened. */
export interface AllocationWindow {
  stop(): number;
}

/** Opens a window: the GC profiler starts and the used heap is read. */
export function startAllocationWindow(): AllocationWindow {
  const profiler = new v8.GCProfiler();
  const start = v8.getHeapStatistics().used_heap_size;
  profiler.start();
  return {
    stop: () => {
      const end = v8.getHeapStatistics().used_heap_size;
      const statistics = profiler.stop().statistics as unknown as readonly GcRecord[];
      let allocated = 0;
      let usedAfterPrevious = start;
      for (const gc of statistics) {
        if (typeof gc.beforeGC.heapStatistics.usedHeapSize !== 'number') throw new Error('GCProfiler: no heapStatistics.usedHeapSize in this Node version');
        allocated += gc.beforeGC.heapStatistics.usedHeapSize - usedAfterPrevious;
        usedAfterPrevious = gc.afterGC.heapStatistics.usedHeapSize;
      }
      return allocated + end - usedAfterPrevious;
    },
  };
}
