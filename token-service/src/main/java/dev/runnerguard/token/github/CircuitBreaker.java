package dev.runnerguard.token.github;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * A circuit breaker for one GitHub base URL (pure; the clock is injected). CLOSED: calls pass;
 * {@code failureThreshold} consecutive retriable failures (5xx, I/O) open it. OPEN: calls are
 * refused without calling GitHub until {@code cooldown} has passed since it opened. Then the first
 * call moves it to HALF_OPEN and is the one trial: the others are refused while it runs; a success
 * closes the circuit, a failure opens it again for another cooldown. Any answer that is not a
 * server error (2xx, 4xx, rate limits) counts as a success: GitHub is up.
 */
public final class CircuitBreaker {

  /** The states, with their gauge values. */
  public enum State {
    CLOSED(0),
    OPEN(1),
    HALF_OPEN(2);

    private final int gauge;

    State(int gauge) {
      this.gauge = gauge;
    }

    public int gauge() {
      return gauge;
    }
  }

  /** Told once per state change (outside the breaker's lock is not guaranteed: keep it short). */
  public interface Listener {
    void changed(State from, State to, String why);
  }

  /** The answer to "may I call GitHub now?". */
  public record Admission(boolean allowed, boolean trial, Duration retryAfter) {
    static final Admission PASS = new Admission(true, false, Duration.ZERO);
    static final Admission TRIAL = new Admission(true, true, Duration.ZERO);
  }

  private final int failureThreshold;
  private final Duration cooldown;
  private final Clock clock;
  private final Listener listener;

  private State state = State.CLOSED;
  private int consecutiveFailures;
  private Instant openedAt = Instant.EPOCH;
  private boolean trialInFlight;

  public CircuitBreaker(int failureThreshold, Duration cooldown, Clock clock, Listener listener) {
    if (failureThreshold < 1) {
      throw new IllegalArgumentException("failure threshold must be at least 1");
    }
    this.failureThreshold = failureThreshold;
    this.cooldown = cooldown;
    this.clock = clock;
    this.listener = listener;
  }

  /** Whether a call may go to GitHub now; when not, how long until the circuit may let one by. */
  public synchronized Admission acquire() {
    switch (state) {
      case CLOSED:
        return Admission.PASS;
      case OPEN:
        Duration left = Duration.between(clock.instant(), openedAt.plus(cooldown));
        if (left.isNegative() || left.isZero()) {
          move(State.HALF_OPEN, "cooldown of " + cooldown.toSeconds() + " s over, one trial call");
          trialInFlight = true;
          return Admission.TRIAL;
        }
        return new Admission(false, false, left);
      case HALF_OPEN:
      default:
        if (!trialInFlight) {
          trialInFlight = true;
          return Admission.TRIAL;
        }
        return new Admission(false, false, Duration.ofSeconds(1));
    }
  }

  /** GitHub answered (anything but a 5xx). */
  public synchronized void success(Admission a) {
    if (a.trial()) {
      trialInFlight = false;
    }
    consecutiveFailures = 0;
    if (state == State.HALF_OPEN) {
      move(State.CLOSED, "trial call succeeded");
    }
  }

  /** A retriable failure: 5xx or I/O. */
  public synchronized void failure(Admission a) {
    if (a.trial()) {
      trialInFlight = false;
    }
    switch (state) {
      case CLOSED:
        consecutiveFailures++;
        if (consecutiveFailures >= failureThreshold) {
          open(consecutiveFailures + " consecutive failures");
        }
        break;
      case HALF_OPEN:
        open("trial call failed");
        break;
      case OPEN:
      default:
        // a call admitted before the circuit opened: already open
        break;
    }
  }

  /** The call ended without telling anything about GitHub (e.g. interrupted): frees the trial. */
  public synchronized void release(Admission a) {
    if (a.trial()) {
      trialInFlight = false;
    }
  }

  public synchronized State state() {
    return state;
  }

  private void open(String why) {
    openedAt = clock.instant();
    consecutiveFailures = 0;
    move(State.OPEN, why + "; calls refused for " + cooldown.toSeconds() + " s");
  }

  private void move(State to, String why) {
    State from = state;
    state = to;
    if (from != to) {
      listener.changed(from, to, why);
    }
  }
}
