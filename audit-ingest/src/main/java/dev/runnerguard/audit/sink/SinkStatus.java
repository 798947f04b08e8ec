package dev.runnerguard.audit.sink;

import java.time.Instant;

/** What the health check and the metrics know of one sink. Thread-safe. */
public final class SinkStatus {
  private final String name;
  private long position;
  private long lag;
  private long delivered;
  private long failures;
  private int consecutiveFailures;
  private String lastError;
  private boolean lastErrorRetriable;
  private Instant lastDeliveryAt;
  private Instant lastFailureAt;

  SinkStatus(String name) {
    this.name = name;
  }

  public String name() {
    return name;
  }

  synchronized void position(long position, long headSeq) {
    this.position = position;
    this.lag = Math.max(0, headSeq - position);
  }

  synchronized void idle() {
    this.lag = 0;
    this.consecutiveFailures = 0;
  }

  synchronized void delivered(int n, long last, Instant at) {
    delivered += n;
    position = last;
    lag = Math.max(0, lag - n);
    consecutiveFailures = 0;
    lastDeliveryAt = at;
  }

  synchronized void failed(Exception e, boolean retriable, Instant at) {
    failures++;
    consecutiveFailures++;
    lastError = describe(e);
    lastErrorRetriable = retriable;
    lastFailureAt = at;
  }

  /** Failing: the last attempt failed. */
  public synchronized boolean failing() {
    return consecutiveFailures > 0;
  }

  public synchronized long position() {
    return position;
  }

  public synchronized long lag() {
    return lag;
  }

  public synchronized long delivered() {
    return delivered;
  }

  public synchronized long failures() {
    return failures;
  }

  public synchronized int consecutiveFailures() {
    return consecutiveFailures;
  }

  public synchronized String lastError() {
    return lastError;
  }

  public synchronized boolean lastErrorRetriable() {
    return lastErrorRetriable;
  }

  public synchronized Instant lastDeliveryAt() {
    return lastDeliveryAt;
  }

  public synchronized Instant lastFailureAt() {
    return lastFailureAt;
  }

  /** The exception's class and message, and its root cause's: sink messages carry no secrets. */
  static String describe(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String s = e.getClass().getSimpleName() + ": " + e.getMessage();
    if (root != e) {
      s += " (cause " + root.getClass().getSimpleName() + ": " + root.getMessage() + ")";
    }
    return s;
  }
}
