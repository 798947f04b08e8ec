package dev.runnerguard.bench;

import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/**
 * What one load phase saw: latency of every answer (from the scheduled send time in open loops, so
 * a stalled server cannot hide its backlog), answers by status, failures by kind and optionally the
 * acknowledged delivery ids. Thread-safe.
 */
final class PhaseStats {
  private static final long HIGHEST_MICROS = TimeUnit.MINUTES.toMicros(5);

  private final Histogram latency = new ConcurrentHistogram(HIGHEST_MICROS, 3);
  private final LongAdder sent = new LongAdder();
  private final LongAdder ok = new LongAdder();
  private final Map<Integer, LongAdder> otherStatuses = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> errors = new ConcurrentHashMap<>();
  private final Set<String> acked;
  private final AtomicLong firstFailureNs = new AtomicLong(Long.MAX_VALUE);
  private final AtomicLong lastFailureNs = new AtomicLong(Long.MIN_VALUE);
  private final AtomicLong lastCompletionNs = new AtomicLong(Long.MIN_VALUE);
  private final int okStatus;
  private volatile long startNs;

  /** The slowest answer per second of scheduled time (ms), to see when a tail happened. */
  private final AtomicLongArray slowestBySecond = new AtomicLongArray(TIMELINE_SECONDS);

  private static final int TIMELINE_SECONDS = 600;

  /**
   * @param okStatus the status that counts as success (202)
   * @param trackAcked whether to keep every acknowledged delivery id
   */
  PhaseStats(int okStatus, boolean trackAcked) {
    this.okStatus = okStatus;
    this.acked = trackAcked ? ConcurrentHashMap.newKeySet() : null;
  }

  void start(long nanos) {
    startNs = nanos;
  }

  long startNs() {
    return startNs;
  }

  void sent() {
    sent.increment();
  }

  /** An answer with a status (for Kafka: 202 for an acknowledgement). */
  void answered(String deliveryId, int status, long scheduledNs, long nowNs) {
    record(scheduledNs, nowNs);
    if (status == okStatus) {
      ok.increment();
      if (acked != null) {
        acked.add(deliveryId);
      }
    } else {
      otherStatuses.computeIfAbsent(status, s -> new LongAdder()).increment();
      failedAt(scheduledNs);
    }
  }

  /** No answer: a connection error, a timeout, a producer exception. */
  void failed(Throwable error, long scheduledNs, long nowNs) {
    lastCompletionNs.accumulateAndGet(nowNs, Math::max);
    Throwable cause = error;
    while (cause.getCause() != null && cause.getCause() != cause) {
      cause = cause.getCause();
    }
    failed(cause.getClass().getSimpleName(), scheduledNs, nowNs);
  }

  /** No answer, of the named kind. */
  void failed(String kind, long scheduledNs, long nowNs) {
    lastCompletionNs.accumulateAndGet(nowNs, Math::max);
    errors.computeIfAbsent(kind, k -> new LongAdder()).increment();
    failedAt(scheduledNs);
  }

  /** A send the generator could not even start (its in-flight bound was reached). */
  void dropped(long scheduledNs) {
    errors.computeIfAbsent("generator-backlog", k -> new LongAdder()).increment();
    failedAt(scheduledNs);
  }

  private void record(long scheduledNs, long nowNs) {
    lastCompletionNs.accumulateAndGet(nowNs, Math::max);
    long micros = Math.max(0, (nowNs - scheduledNs) / 1_000);
    latency.recordValue(Math.min(micros, HIGHEST_MICROS));
    long second = (scheduledNs - startNs) / 1_000_000_000L;
    if (second >= 0 && second < TIMELINE_SECONDS) {
      slowestBySecond.accumulateAndGet((int) second, micros / 1_000, Math::max);
    }
  }

  /**
   * The slowest answer (ms) of each second of scheduled time from the phase start, up to the last
   * second with an answer, e.g. {@code "9 12 310 48"}.
   */
  String slowestBySecond() {
    int last = TIMELINE_SECONDS - 1;
    while (last >= 0 && slowestBySecond.get(last) == 0) {
      last--;
    }
    StringBuilder line = new StringBuilder();
    for (int i = 0; i <= last; i++) {
      line.append(i == 0 ? "" : " ").append(slowestBySecond.get(i));
    }
    return line.toString();
  }

  private void failedAt(long scheduledNs) {
    firstFailureNs.accumulateAndGet(scheduledNs, Math::min);
    lastFailureNs.accumulateAndGet(scheduledNs, Math::max);
  }

  long ok() {
    return ok.sum();
  }

  Set<String> acked() {
    return acked == null ? Set.of() : acked;
  }

  long count(int status) {
    LongAdder a = otherStatuses.get(status);
    return a == null ? 0 : a.sum();
  }

  /** Seconds from the phase start to the first and last failed scheduled send; null if none. */
  double[] failureWindowSeconds() {
    long first = firstFailureNs.get();
    if (first == Long.MAX_VALUE) {
      return null;
    }
    return new double[] {(first - startNs) / 1e9, (lastFailureNs.get() - startNs) / 1e9};
  }

  /**
   * The summary, with the achieved rate over the scheduled length or until the last answer,
   * whichever is longer.
   */
  PhaseResult result(String name, double offeredRate, double scheduledSeconds, double cpuBusy) {
    long last = lastCompletionNs.get();
    double elapsed =
        Math.max(scheduledSeconds, last == Long.MIN_VALUE ? 0 : (last - startNs) / 1e9);
    Map<String, Long> failures = new TreeMap<>();
    otherStatuses.forEach((s, n) -> failures.put("HTTP " + s, n.sum()));
    errors.forEach((k, n) -> failures.put(k, n.sum()));
    Histogram h = latency.copy();
    return new PhaseResult(
        name,
        offeredRate,
        sent.sum(),
        ok.sum(),
        elapsed <= 0 ? 0 : ok.sum() / elapsed,
        h.getTotalCount() == 0 ? Double.NaN : h.getValueAtPercentile(50) / 1000.0,
        h.getTotalCount() == 0 ? Double.NaN : h.getValueAtPercentile(90) / 1000.0,
        h.getTotalCount() == 0 ? Double.NaN : h.getValueAtPercentile(99) / 1000.0,
        h.getTotalCount() == 0 ? Double.NaN : h.getMaxValue() / 1000.0,
        failures,
        cpuBusy);
  }
}
