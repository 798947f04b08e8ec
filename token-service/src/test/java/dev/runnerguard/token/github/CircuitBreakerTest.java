package dev.runnerguard.token.github;

import static org.assertj.core.api.Assertions.assertThat;

import dev.runnerguard.token.github.CircuitBreaker.Admission;
import dev.runnerguard.token.github.CircuitBreaker.State;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The breaker as a table: a script of steps, the state after it, and the transitions logged. Steps:
 * F failure, S success, A acquire (allowed), R acquire refused, T acquire as the trial, Wn advance
 * the clock n seconds, X release the last admission without a verdict.
 */
class CircuitBreakerTest {

  @ParameterizedTest(name = "{0}: {1} -> {2}")
  @CsvSource(
      delimiter = '|',
      value = {
        "closed stays closed below the threshold | A F A F | CLOSED | ",
        "threshold opens | A F A F A F | OPEN | CLOSED>OPEN",
        "a success resets the count | A F A F A S A F A F | CLOSED | ",
        "open refuses without a call | A F A F A F R R W29 R | OPEN | CLOSED>OPEN",
        "after the cooldown one trial | A F A F A F W30 T R R | HALF_OPEN | CLOSED>OPEN"
            + " OPEN>HALF_OPEN",
        "trial success closes | A F A F A F W30 T S A A | CLOSED | CLOSED>OPEN OPEN>HALF_OPEN"
            + " HALF_OPEN>CLOSED",
        "trial failure reopens for a new cooldown | A F A F A F W30 T F R W29 R W1 T | HALF_OPEN"
            + " | CLOSED>OPEN OPEN>HALF_OPEN HALF_OPEN>OPEN OPEN>HALF_OPEN",
        "a released trial lets the next caller try | A F A F A F W30 T X T S | CLOSED |"
            + " CLOSED>OPEN OPEN>HALF_OPEN HALF_OPEN>CLOSED",
        "late failure while open changes nothing | A A A F A F A F F W30 T | HALF_OPEN |"
            + " CLOSED>OPEN OPEN>HALF_OPEN",
      })
  void script(String name, String script, State expected, String transitions) {
    TestClock clock = new TestClock();
    List<String> log = new ArrayList<>();
    CircuitBreaker b =
        new CircuitBreaker(3, Duration.ofSeconds(30), clock, (f, t, why) -> log.add(f + ">" + t));
    Admission last = null;
    for (String step : script.trim().split("\\s+")) {
      switch (step.charAt(0)) {
        case 'A':
          last = b.acquire();
          assertThat(last.allowed()).as(name + " " + step).isTrue();
          break;
        case 'T':
          last = b.acquire();
          assertThat(last.allowed()).as(name + " " + step).isTrue();
          assertThat(last.trial()).as(name + " trial").isTrue();
          break;
        case 'R':
          Admission r = b.acquire();
          assertThat(r.allowed()).as(name + " refused").isFalse();
          assertThat(r.retryAfter()).isPositive();
          break;
        case 'F':
          b.failure(last);
          break;
        case 'S':
          b.success(last);
          break;
        case 'X':
          b.release(last);
          break;
        case 'W':
          clock.advance(Duration.ofSeconds(Long.parseLong(step.substring(1))));
          break;
        default:
          throw new IllegalArgumentException(step);
      }
    }
    assertThat(b.state()).as(name).isEqualTo(expected);
    assertThat(String.join(" ", log)).as(name).isEqualTo(transitions == null ? "" : transitions);
  }

  @ParameterizedTest
  @CsvSource({"0, 30", "10, 20", "29, 1"})
  void refusalSaysHowLongUntilTheTrial(long after, long retryAfter) {
    TestClock clock = new TestClock();
    CircuitBreaker b = new CircuitBreaker(1, Duration.ofSeconds(30), clock, (f, t, w) -> {});
    b.failure(b.acquire());
    clock.advance(Duration.ofSeconds(after));
    assertThat(b.acquire().retryAfter()).isEqualTo(Duration.ofSeconds(retryAfter));
    assertThat(b.state().gauge()).isEqualTo(1);
  }
}
