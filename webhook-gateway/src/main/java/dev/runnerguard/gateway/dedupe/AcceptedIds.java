package dev.runnerguard.gateway.dedupe;

import java.util.HashMap;
import java.util.Map;

/**
 * Accepted delivery ids with the time each was accepted, compact enough for GitHub's redelivery
 * window at full rate. GitHub's {@code X-GitHub-Delivery} is a UUID in canonical lower-case form;
 * such an id is kept as two longs plus its time in an open-addressing table (24 bytes per id in
 * three arrays, no object per id), so millions of ids cost tens of megabytes and nothing for the
 * garbage collector to trace. Any other id (the gateway accepts 1-64 letters, digits and '-') goes
 * to a plain map. Thread-safe: every method holds the instance's lock for a few array accesses.
 */
final class AcceptedIds {
  private static final int MIN_CAPACITY = 1 << 10;

  private long[] highs = new long[MIN_CAPACITY];
  private long[] lows = new long[MIN_CAPACITY];
  private long[] times = new long[MIN_CAPACITY]; // 0: empty slot (acceptance times are > 0)
  private int uuids;
  private final Map<String, Long> others = new HashMap<>();

  /** Remembers {@code id} as accepted at {@code millis} (> 0), keeping the later of two times. */
  synchronized void accept(String id, long millis) {
    if (millis <= 0) {
      throw new IllegalArgumentException("acceptance time must be positive: " + millis);
    }
    long[] uuid = uuid(id);
    if (uuid == null) {
      others.merge(id, millis, Math::max);
      return;
    }
    if ((uuids + 1) * 2L > times.length) {
      rebuild(times.length * 2, 1);
    }
    int slot = slot(uuid[0], uuid[1], highs, lows, times);
    if (times[slot] == 0) {
      highs[slot] = uuid[0];
      lows[slot] = uuid[1];
      times[slot] = millis;
      uuids++;
    } else if (millis > times[slot]) {
      times[slot] = millis;
    }
  }

  /** When {@code id} was accepted, or -1. */
  synchronized long acceptedAt(String id) {
    long[] uuid = uuid(id);
    if (uuid == null) {
      Long at = others.get(id);
      return at == null ? -1 : at;
    }
    int slot = slot(uuid[0], uuid[1], highs, lows, times);
    return times[slot] == 0 ? -1 : times[slot];
  }

  /** Forgets every id accepted before {@code oldest}; rebuilds the table, so call it rarely. */
  synchronized void forgetBefore(long oldest) {
    others.values().removeIf(at -> at < oldest);
    int live = 0;
    for (long at : times) {
      if (at != 0 && at >= oldest) {
        live++;
      }
    }
    int capacity = MIN_CAPACITY;
    while (capacity < live * 2L + 2) {
      capacity *= 2;
    }
    rebuild(capacity, oldest);
  }

  /** Number of ids remembered. */
  synchronized int size() {
    return uuids + others.size();
  }

  /** A new table of {@code capacity} slots holding the ids accepted at {@code oldest} or later. */
  private void rebuild(int capacity, long oldest) {
    long[] oldHighs = highs;
    long[] oldLows = lows;
    long[] oldTimes = times;
    highs = new long[capacity];
    lows = new long[capacity];
    times = new long[capacity];
    uuids = 0;
    for (int i = 0; i < oldTimes.length; i++) {
      if (oldTimes[i] != 0 && oldTimes[i] >= oldest) {
        insert(oldHighs[i], oldLows[i], oldTimes[i]);
      }
    }
  }

  private void insert(long high, long low, long millis) {
    int slot = slot(high, low, highs, lows, times);
    highs[slot] = high;
    lows[slot] = low;
    times[slot] = millis;
    uuids++;
  }

  /** The slot holding the UUID, or the empty slot where it belongs (linear probing). */
  private static int slot(long high, long low, long[] highs, long[] lows, long[] times) {
    int mask = times.length - 1;
    long h = (high ^ Long.rotateLeft(low, 29)) * 0x9E3779B97F4A7C15L;
    int slot = (int) (h ^ (h >>> 32)) & mask;
    while (times[slot] != 0 && (highs[slot] != high || lows[slot] != low)) {
      slot = (slot + 1) & mask;
    }
    return slot;
  }

  /**
   * The id's 128 bits when it is a UUID in canonical lower-case form ({@code 8-4-4-4-12} hex
   * digits), else null; exactly one spelling maps to each pair of longs.
   */
  static long[] uuid(String id) {
    if (id == null || id.length() != 36) {
      return null;
    }
    long high = 0;
    long low = 0;
    int digits = 0;
    for (int i = 0; i < 36; i++) {
      char c = id.charAt(i);
      if (i == 8 || i == 13 || i == 18 || i == 23) {
        if (c != '-') {
          return null;
        }
        continue;
      }
      int v;
      if (c >= '0' && c <= '9') {
        v = c - '0';
      } else if (c >= 'a' && c <= 'f') {
        v = c - 'a' + 10;
      } else {
        return null;
      }
      if (digits < 16) {
        high = (high << 4) | v;
      } else {
        low = (low << 4) | v;
      }
      digits++;
    }
    return new long[] {high, low};
  }
}
