package dev.runnerguard.githubsim;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The primary rate limit: one hourly bucket per installation ({@code installation:ID}), per App JWT
 * ({@code app:ID}) and for anonymous calls. The fault {@code rate_limit_app} sets the buckets of
 * one App (its JWT bucket and every installation of it) to a given remaining count until a given
 * reset, so tests can rate-limit one App while another App on the same org stays usable.
 */
@ApplicationScoped
public class RateLimits {

  @Inject SimConfig config;

  private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();

  static final class Bucket {
    final int limit;
    int used;
    long reset;

    Bucket(int limit) {
      this.limit = limit;
    }
  }

  /** A bucket's state as reported in the x-ratelimit-* headers; remaining &lt; 0: over. */
  record Snapshot(int limit, int remaining, int used, long reset) {}

  private Bucket bucket(String key) {
    int limit = key.equals("anonymous") ? 60 : config.rateLimitPerHour();
    return buckets.computeIfAbsent(key, k -> new Bucket(limit));
  }

  /** Counts one request; remaining &lt; 0 means over the limit. */
  Snapshot count(String key) {
    Bucket b = bucket(key);
    long now = Instant.now().getEpochSecond();
    synchronized (b) {
      if (now >= b.reset) {
        b.used = 0;
        b.reset = now + 3600;
      }
      if (b.used >= b.limit) {
        return new Snapshot(b.limit, -1, b.used, b.reset);
      }
      b.used++;
      return new Snapshot(b.limit, b.limit - b.used, b.used, b.reset);
    }
  }

  /**
   * Sets each bucket to {@code remaining} requests left until {@code resetInSeconds} from now (then
   * the bucket refills as usual).
   */
  Map<String, Object> set(List<String> keys, int remaining, int resetInSeconds) {
    long reset = Instant.now().getEpochSecond() + resetInSeconds;
    Map<String, Object> out = new LinkedHashMap<>();
    for (String key : keys) {
      Bucket b = bucket(key);
      synchronized (b) {
        b.used = Math.max(0, b.limit - remaining);
        b.reset = reset;
        out.put(key, Map.of("remaining", b.limit - b.used, "reset", b.reset));
      }
    }
    return out;
  }

  /** Refills every bucket (DELETE /_sim/faults). */
  void reset() {
    buckets.clear();
  }
}
