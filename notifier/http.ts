// POSTing JSON to a receiver's endpoint with timeouts and retries: network errors, timeouts, 429 and
// 5xx (and what a service's classifier calls transient) are retried with exponential backoff and
// jitter, honouring Retry-After, for as long as the invocation's time budget allows; any other 4xx
// fails at once. Errors and logs name the receiver and the status, never the URL (it is a secret).
import { Clock } from "./clock";
import { Logger } from "./log";

export interface HttpResponse {
  status: number;
  headers: Headers;
  body: string;
}

/** What a response means for delivery; `detail` is safe to log (no response bodies, which may echo requests). */
export type Failure = { outcome: "retry" | "fail"; detail: string };
export type Verdict = { outcome: "ok" } | Failure;

export interface RetryPolicy {
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  timeoutMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 5, baseDelayMs: 500, maxDelayMs: 10_000, timeoutMs: 10_000 };

export const USER_AGENT = "monitoring-stack-notifier/1";

export class DeliveryError extends Error {
  constructor(
    message: string,
    /** True when the last failure was transient (the budget ran out), false for a rejection. */
    readonly transient: boolean,
    readonly status?: number,
  ) {
    super(message);
    this.name = "DeliveryError";
  }
}

export interface PostContext {
  clock: Clock;
  logger: Logger;
  retry: RetryPolicy;
  /** Epoch ms by which the invocation must be done; no retry starts that could not finish before it. */
  deadline: number;
  random: () => number;
}

/** 2xx is delivered; 408, 429 and 5xx are worth another try; other statuses are rejections. */
export function classifyStatus(res: Pick<HttpResponse, "status">): Verdict {
  if (res.status >= 200 && res.status < 300) return { outcome: "ok" };
  const detail = `HTTP ${res.status}`;
  return res.status === 408 || res.status === 429 || res.status >= 500 ? { outcome: "retry", detail } : { outcome: "fail", detail };
}

export async function postJson(
  url: string,
  body: unknown,
  target: { receiver: string; type: string },
  ctx: PostContext,
  classify: (res: HttpResponse) => Verdict = classifyStatus,
): Promise<HttpResponse> {
  const payload = JSON.stringify(body);
  for (let attempt = 1; ; attempt++) {
    const started = ctx.clock.now();
    let verdict: Failure;
    let status: number | undefined;
    let retryAfterMs = 0;
    try {
      const res = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json", "user-agent": USER_AGENT },
        body: payload,
        signal: AbortSignal.timeout(ctx.retry.timeoutMs),
      });
      const response = { status: res.status, headers: res.headers, body: await res.text() };
      status = res.status;
      const classified = classify(response);
      if (classified.outcome === "ok") {
        ctx.logger.info("delivered", { ...target, status, attempt, ms: ctx.clock.now() - started });
        return response;
      }
      verdict = classified;
      retryAfterMs = retryAfter(res.headers.get("retry-after"), ctx.clock.now());
    } catch (e) {
      verdict = requestFailure(e);
    }
    if (verdict.outcome === "fail") {
      ctx.logger.error("rejected", { ...target, status, attempt, detail: verdict.detail });
      throw new DeliveryError(`${target.type} receiver ${target.receiver}: rejected (${verdict.detail}), not retried`, false, status);
    }
    const delay = Math.min(ctx.retry.maxDelayMs, Math.max(retryAfterMs, backoff(attempt, ctx.retry, ctx.random)));
    if (attempt >= ctx.retry.attempts || ctx.clock.now() + delay + ctx.retry.timeoutMs > ctx.deadline) {
      ctx.logger.error("gave up", { ...target, status, attempt, detail: verdict.detail });
      throw new DeliveryError(`${target.type} receiver ${target.receiver}: failed after ${attempt} attempt(s) (${verdict.detail})`, true, status);
    }
    ctx.logger.warn("retrying", { ...target, status, attempt, detail: verdict.detail, delayMs: Math.round(delay) });
    await ctx.clock.sleep(delay);
  }
}

/** Exponential backoff with "equal jitter": half fixed, half random, so retries from many invocations spread out. */
export function backoff(attempt: number, policy: Pick<RetryPolicy, "baseDelayMs" | "maxDelayMs">, random: () => number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return ceiling / 2 + (ceiling / 2) * random();
}

function retryAfter(header: string | null, now: number): number {
  if (!header) return 0;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(header);
  return Number.isNaN(date) ? 0 : Math.max(0, date - now);
}

/** A request that got no response: a timeout or network error is transient, a malformed URL (from the secret) is not. */
function requestFailure(e: unknown): Failure {
  const err = e as { name?: string; cause?: { code?: string } };
  if (err.name === "TimeoutError" || err.name === "AbortError") return { outcome: "retry", detail: "timeout" };
  // fetch's own message quotes the URL, a secret: only the code is used.
  if (err.cause?.code === "ERR_INVALID_URL") return { outcome: "fail", detail: "the URL in the secret is not a valid URL" };
  return { outcome: "retry", detail: `network error${err.cause?.code ? ` ${err.cause.code}` : ""}` };
}
