// DingTalk robots accept at most 20 messages a minute. Per robot, we send at once while the window
// has room; whatever arrives while a send is in flight or the window is spent waits, and goes out
// merged into as few messages as fit, so a burst turns into fewer, fuller messages, not errors.
// The window lives in the execution environment: it covers the invocations a warm Lambda serves in
// turn (and concurrent deliveries in one process). Concurrent Lambda instances each have their own
// window; DingTalk's "too fast" answer (errcode 130101) is retried with backoff for that case.
import { Clock } from "./clock";

export interface RateLimit {
  limit: number;
  windowMs: number;
}

export const DINGTALK_RATE_LIMIT: RateLimit = { limit: 20, windowMs: 60_000 };

interface Waiting<T> {
  item: T;
  resolve: () => void;
  reject: (e: unknown) => void;
}

interface Lane<T> {
  sentAt: number[];
  waiting: Waiting<T>[];
  draining: boolean;
}

export class BatchingRateLimiter<T> {
  private readonly lanes = new Map<string, Lane<T>>();

  constructor(
    private readonly rate: RateLimit,
    private readonly clock: Clock,
    /** Whether these items still fit in one message. */
    private readonly fits: (batch: T[]) => boolean,
  ) {}

  /**
   * Resolves once `item` has been sent (alone or in a batch) through `send`. Items with the same
   * key must be interchangeable for `send` (same robot, same credentials): a batch uses the `send`
   * of whoever started the lane's drain.
   */
  submit(key: string, item: T, send: (batch: T[]) => Promise<void>): Promise<void> {
    let lane = this.lanes.get(key);
    if (!lane) this.lanes.set(key, (lane = { sentAt: [], waiting: [], draining: false }));
    const done = new Promise<void>((resolve, reject) => lane!.waiting.push({ item, resolve, reject }));
    if (!lane.draining) void this.drain(lane, send);
    return done;
  }

  private async drain(lane: Lane<T>, send: (batch: T[]) => Promise<void>): Promise<void> {
    lane.draining = true;
    try {
      while (lane.waiting.length > 0) {
        const wait = this.waitMs(lane);
        if (wait > 0) {
          await this.clock.sleep(wait);
          continue;
        }
        const batch = [lane.waiting.shift()!];
        while (lane.waiting.length > 0 && this.fits([...batch, lane.waiting[0]].map((w) => w.item))) batch.push(lane.waiting.shift()!);
        lane.sentAt.push(this.clock.now());
        try {
          await send(batch.map((w) => w.item));
          batch.forEach((w) => w.resolve());
        } catch (e) {
          batch.forEach((w) => w.reject(e));
        }
      }
    } finally {
      lane.draining = false;
    }
  }

  /** 0 when the lane may send now, else how long until its oldest send leaves the window. */
  private waitMs(lane: Lane<T>): number {
    const now = this.clock.now();
    while (lane.sentAt.length > 0 && lane.sentAt[0] <= now - this.rate.windowMs) lane.sentAt.shift();
    return lane.sentAt.length < this.rate.limit ? 0 : lane.sentAt[0] + this.rate.windowMs - now;
  }
}
