/** No slot is free and the queue is full: the caller should answer "busy, retry". */
export class DecodeBusyError extends Error {
  override name = 'DecodeBusyError';
}

/**
 * A bound on images decoded at once. With the pixel limit it bounds decode memory: at most
 * `size` images of up to IMAGE_MAX_MEGAPIXELS are held decoded at any time, whatever many callers
 * ask. Callers past the bound wait in order; a caller that names `maxWaiting` is refused when that
 * many already wait, so a flood of requests cannot queue without end.
 */
export class DecodeSlots {
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(readonly size: number) {
    if (!Number.isInteger(size) || size < 1) throw new Error(`decode slots must be a positive integer, got ${size}`);
  }

  get inUse(): number {
    return this.active;
  }

  get queued(): number {
    return this.waiting.length;
  }

  async run<T>(decode: () => Promise<T>, options: { maxWaiting?: number } = {}): Promise<T> {
    if (this.active < this.size) {
      this.active += 1;
    } else {
      if (options.maxWaiting !== undefined && this.waiting.length >= options.maxWaiting) {
        throw new DecodeBusyError(
          `${this.active} images are being decoded and ${this.waiting.length} wait; try again shortly`,
        );
      }
      await new Promise<void>((resolve) => this.waiting.push(resolve)); // the finishing caller hands its slot over
    }
    try {
      return await decode();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.active -= 1;
    }
  }
}

/**
 * sharp runs each decode on one thread of libuv's pool (UV_THREADPOOL_SIZE, 4 by default), so
 * more decodes in flight than that only wait inside libuv: background work (import, scoring,
 * export) gets as many slots, and keeps its throughput.
 */
const LIBUV_THREADS = Math.min(Math.max(Number.parseInt(process.env.UV_THREADPOOL_SIZE ?? '', 10) || 4, 1), 1024);
export const backgroundDecodes = new DecodeSlots(LIBUV_THREADS);

/** Frame images served over HTTP: a few at once, so requests cannot take the pool from the rest. */
export const requestDecodes = new DecodeSlots(2);
/** Requests that may wait for a slot before GET /frames answers 503. */
export const MAX_WAITING_REQUESTS = 32;
