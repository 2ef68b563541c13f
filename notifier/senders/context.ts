// What every sender gets: secrets, a POST that retries, the clock and the deployment's name prefix.
import { Clock } from "../clock";
import { HttpResponse, Verdict } from "../http";
import { BatchingRateLimiter } from "../rate-limit";
import { SecretResolver } from "../secrets";
import { Notification } from "../types";

export interface SendContext {
  namePrefix: string;
  secrets: SecretResolver;
  clock: Clock;
  post(url: string, body: unknown, classify?: (res: HttpResponse) => Verdict): Promise<HttpResponse>;
  /** PagerDuty's Events API v2 endpoint (a local server in tests). */
  pagerDutyUrl: string;
  dingTalkLimiter: BatchingRateLimiter<Notification>;
}
