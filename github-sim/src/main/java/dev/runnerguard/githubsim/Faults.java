package dev.runnerguard.githubsim;

import java.util.LinkedHashMap;
import java.util.Map;

/** Injected faults (control API {@code /_sim/faults}); applies to the GitHub REST subset only. */
final class Faults {
  int failNext;
  int failStatus = 502;
  int rateLimitNext;
  int retryAfterSeconds = 60;
  long latencyMs;
  boolean dropNextCompleted;

  synchronized Map<String, Object> describe() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("fail_next", failNext);
    m.put("fail_status", failStatus);
    m.put("rate_limit_next", rateLimitNext);
    m.put("retry_after", retryAfterSeconds);
    m.put("latency_ms", latencyMs);
    m.put("drop_next_completed", dropNextCompleted);
    return m;
  }

  synchronized void reset() {
    failNext = 0;
    failStatus = 502;
    rateLimitNext = 0;
    retryAfterSeconds = 60;
    latencyMs = 0;
    dropNextCompleted = false;
  }

  /** Takes one 5xx if armed: the status, or 0. */
  synchronized int takeFailure() {
    if (failNext > 0) {
      failNext--;
      return failStatus;
    }
    return 0;
  }

  /** Takes one rate limit if armed: retry-after seconds, or -1. */
  synchronized int takeRateLimit() {
    if (rateLimitNext > 0) {
      rateLimitNext--;
      return retryAfterSeconds;
    }
    return -1;
  }

  synchronized long latency() {
    return latencyMs;
  }

  synchronized boolean takeDropCompleted() {
    boolean d = dropNextCompleted;
    dropNextCompleted = false;
    return d;
  }
}
