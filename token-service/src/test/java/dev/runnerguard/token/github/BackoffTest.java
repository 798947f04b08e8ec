package dev.runnerguard.token.github;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class BackoffTest {
  @Test
  void exponentialCappedWithEqualJitter() {
    Backoff max = new Backoff(Duration.ofMillis(200), Duration.ofSeconds(5), () -> 0.999999);
    Backoff min = new Backoff(Duration.ofMillis(200), Duration.ofSeconds(5), () -> 0.0);
    assertThat(max.ceiling(1)).isEqualTo(Duration.ofMillis(200));
    assertThat(max.ceiling(2)).isEqualTo(Duration.ofMillis(400));
    assertThat(max.ceiling(3)).isEqualTo(Duration.ofMillis(800));
    assertThat(max.ceiling(10)).isEqualTo(Duration.ofSeconds(5));
    assertThat(max.ceiling(100)).isEqualTo(Duration.ofSeconds(5));
    for (int r = 1; r <= 8; r++) {
      assertThat(min.delay(r)).isEqualTo(max.ceiling(r).dividedBy(2));
      assertThat(max.delay(r)).isBetween(max.ceiling(r).dividedBy(2), max.ceiling(r));
    }
  }

  @Test
  void rateLimitWaitPrefersRetryAfterThenReset() {
    Instant now = Instant.ofEpochSecond(1_000);
    assertThat(Backoff.rateLimitWait("7", "0", "2000", now)).contains(Duration.ofSeconds(7));
    assertThat(Backoff.rateLimitWait(null, "0", "1030", now)).contains(Duration.ofSeconds(30));
    assertThat(Backoff.rateLimitWait(null, "0", "900", now)).contains(Duration.ofSeconds(1));
    assertThat(Backoff.rateLimitWait(null, "12", "1030", now)).isEmpty();
    assertThat(Backoff.rateLimitWait(null, null, null, now)).isEmpty();
  }
}
