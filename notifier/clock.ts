// Time as a dependency: retries, rate limits, secret TTLs and DingTalk signatures read it, so tests
// can run a minute of rate limiting in milliseconds.
export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};
