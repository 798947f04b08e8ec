package dev.runnerguard.token.github;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.runnerguard.token.github.Budgets.Endpoint;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class BudgetsTest {
  static final long SECOND = 1_000_000_000L;

  /** capacity, period s, cost, taken first, seconds advanced, expected wait in ms. */
  @ParameterizedTest(name = "cap {0}/{1}s cost {2} after {3} taken, {4}s later: wait {5} ms")
  @CsvSource({
    "80, 60, 1, 0, 0, 0",
    "80, 60, 1, 79, 0, 0",
    "80, 60, 1, 80, 0, 750",
    "80, 60, 1, 80, 1, 0",
    "80, 60, 1, 90, 0, 8250",
    "80, 60, 1, 90, 60, 0",
    "900, 60, 5, 900, 0, 333",
    "10, 60, 1, 10, 3, 3000",
  })
  void tokenBucketTable(long cap, long period, long cost, long taken, long later, long waitMs) {
    TestClock clock = new TestClock();
    TokenBucket b = new TokenBucket(cap, Duration.ofSeconds(period), clock);
    b.take(taken);
    clock.advance(Duration.ofSeconds(later));
    long wait = b.waitNanos(cost).orElseThrow();
    assertThat(Math.round(wait / 1_000_000.0)).isEqualTo(waitMs);
  }

  @Test
  void refillNeverExceedsCapacityAndCostAboveCapacityNeverFits() {
    TestClock clock = new TestClock();
    TokenBucket b = new TokenBucket(5, Duration.ofMinutes(1), clock);
    clock.advance(Duration.ofHours(5));
    assertThat(b.available()).isEqualTo(5.0);
    assertThat(b.waitNanos(6)).isEmpty();
  }

  @Test
  void contentCallsShareTheMinuteBudgetReadsDoNot() {
    TestClock clock = new TestClock();
    Budgets budgets = new Budgets(new Budgets.Settings(3, 0, 900), clock);
    assertThat(budgets.reserve(Endpoint.GENERATE_JITCONFIG, 0)).hasValue(0);
    assertThat(budgets.reserve(Endpoint.DELETE_RUNNER, 0)).hasValue(0);
    assertThat(budgets.reserve(Endpoint.CANCEL, 0)).hasValue(0);
    // Spent: the fourth content call would wait 20 s (3 per minute); not within 5 s.
    assertThat(budgets.reserve(Endpoint.FORCE_CANCEL, 5 * SECOND)).isEmpty();
    assertThat(budgets.waitNanos(Endpoint.GENERATE_JITCONFIG))
        .isCloseTo(20 * SECOND, within(1000L));
    // Reads are not content.
    assertThat(budgets.reserve(Endpoint.RUNNERS, 0)).hasValue(0);
    assertThat(budgets.reserve(Endpoint.JOB, 0)).hasValue(0);
    // Within a bound of 20 s: reserved, told to wait 20 s; the next one waits 40 s.
    assertThat(budgets.reserve(Endpoint.GENERATE_JITCONFIG, 21 * SECOND).orElseThrow())
        .isCloseTo(20 * SECOND, within(1000L));
    assertThat(budgets.waitNanos(Endpoint.GENERATE_JITCONFIG))
        .isCloseTo(40 * SECOND, within(1000L));
    clock.advance(Duration.ofSeconds(40));
    assertThat(budgets.reserve(Endpoint.GENERATE_JITCONFIG, 0)).hasValue(0);
  }

  @Test
  void hourlyContentBudgetBindsAfterTheMinuteOnes() {
    TestClock clock = new TestClock();
    Budgets budgets = new Budgets(new Budgets.Settings(80, 100, 900), clock);
    for (int minute = 0; minute < 2; minute++) {
      for (int i = 0; i < 50; i++) {
        assertThat(budgets.reserve(Endpoint.GENERATE_JITCONFIG, 0)).isPresent();
      }
      clock.advance(Duration.ofMinutes(1));
    }
    // 100 used in 2 minutes: the minute budget is full again, the hour one has refilled 3.3.
    int more = 0;
    while (more < 80 && budgets.reserve(Endpoint.GENERATE_JITCONFIG, 0).isPresent()) {
      more++;
    }
    assertThat(more).isEqualTo(3);
    // The next one fits in 24 s (2/3 of a token at 100 per hour).
    assertThat(budgets.waitNanos(Endpoint.GENERATE_JITCONFIG))
        .isCloseTo(24 * SECOND, within(SECOND / 100));
  }

  @Test
  void pointsPerEndpoint() {
    TestClock clock = new TestClock();
    Budgets budgets = new Budgets(new Budgets.Settings(1000, 0, 10), clock);
    assertThat(budgets.reserve(Endpoint.GENERATE_JITCONFIG, 0)).isPresent();
    assertThat(budgets.reserve(Endpoint.GENERATE_JITCONFIG, 0)).isPresent();
    assertThat(budgets.reserve(Endpoint.GENERATE_JITCONFIG, 0)).isEmpty(); // 10 points spent
    assertThat(budgets.reserve(Endpoint.DELETE_RUNNER, 0)).isPresent(); // its own endpoint
    for (int i = 0; i < 10; i++) {
      assertThat(budgets.reserve(Endpoint.RUNNERS, 0)).isPresent(); // 1 point each
    }
    assertThat(budgets.reserve(Endpoint.RUNNERS, 0)).isEmpty();
  }

  @Test
  void settingsAreChecked() {
    assertThatThrownBy(() -> new Budgets.Settings(0, 0, 900))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Budgets.Settings(80, 500, 4))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
