package dev.runnerguard.gateway.dedupe;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.LongBuffer;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.LongConsumer;

/**
 * Accepted delivery ids with the time each was accepted, compact enough for GitHub's redelivery
 * window at full rate. GitHub's {@code X-GitHub-Delivery} is a UUID in canonical lower-case form;
 * such an id is kept as two longs plus its time (24 bytes, no object per id) in fixed-size pages of
 * an extendible hash table, so millions of ids cost tens of megabytes. Any other id (the gateway
 * accepts 1-64 letters, digits and '-') goes to a plain map. Thread-safe: every method holds the
 * instance's fair lock for a few slot accesses, or, to forget or scan, one page at a time.
 *
 * <p>Why pages: the table grows by splitting one full page into two (a new {@value #PAGE_SLOTS}
 * slot page, 24 KB) and only the small directory of page references ever doubles. A single table
 * that doubles left the whole old table as garbage at every doubling (24 MB at half a million ids)
 * in the old generation, and each such doubling cost the gateway a full collection of 80-120 ms
 * (measured 2026-11-29 with the launcher's serial collector: the open-loop benchmark's p99 at
 * 2000-4000/s jumped from ~20 ms to 200-400 ms in the steps where one happened). Forgetting old ids
 * compacts each page in place; the pages are only rebuilt when a quarter or less of their room is
 * in use.
 *
 * <p>Why outside the heap: the pages are direct buffers, so the ids are neither traced nor moved by
 * the collector, and the old generation does not grow with them. On the heap they were most of the
 * old generation, which the launcher keeps tight (at most 10-20 % free), so growing by ~5000 ids a
 * second meant a full collection of 50 ms every few seconds (measured 2026-11-29 at 5000/s). Their
 * room counts against {@code -XX:MaxDirectMemorySize}, which defaults to {@code -Xmx}.
 */
final class AcceptedIds {
  /**
   * Slots per page (a power of two); a page splits when it would hold more than {@link #PAGE_MAX}.
   */
  static final int PAGE_SLOTS = 1 << 10;

  private static final int PAGE_MAX = PAGE_SLOTS * 3 / 4;

  /**
   * The deepest a page may split (a directory of 2^20 references at most); ids that would need a
   * deeper one go to the plain map. Only ids colliding in 20 bits of a 64-bit hash by the hundred
   * could get there.
   */
  private static final int MAX_DEPTH = 20;

  private static final long[] EMPTY_PAGE = new long[PAGE_SLOTS * 3];

  /**
   * One page: {@link #PAGE_SLOTS} slots of (high, low, time), time 0 for an empty slot, outside the
   * Java heap (a direct buffer, zeroed when allocated).
   */
  private static final class Page {
    final LongBuffer slots =
        ByteBuffer.allocateDirect(PAGE_SLOTS * 3 * Long.BYTES)
            .order(ByteOrder.nativeOrder())
            .asLongBuffer();
    int depth;
    int count;

    Page(int depth) {
      this.depth = depth;
    }
  }

  /** A power of two of page references, indexed by the low bits of an id's hash. */
  private Page[] directory = {new Page(0)};

  private int pages = 1;
  private int uuids;
  private final long[] scratch = new long[PAGE_SLOTS * 3];
  private final Map<String, Long> others = new HashMap<>();

  /**
   * Fair, so a thread waiting to look an id up gets the lock as soon as the one forgetting old ids
   * lets go of it after a page, instead of that thread taking it again for the next page.
   */
  private final ReentrantLock lock = new ReentrantLock(true);

  /**
   * The latest acceptance time taken (2^50 ms: the year 37,648), so time arithmetic cannot
   * overflow.
   */
  static final long MAX_TIME = 1L << 50;

  /**
   * Remembers {@code id} as accepted at {@code millis} (1 to {@link #MAX_TIME}), keeping the later
   * of two times.
   */
  void accept(String id, long millis) {
    lock.lock();
    try {
      if (millis <= 0 || millis > MAX_TIME) {
        throw new IllegalArgumentException("acceptance time out of range: " + millis);
      }
      long[] uuid = uuid(id);
      if (uuid == null || !put(uuid[0], uuid[1], millis)) {
        others.merge(id, millis, Math::max);
      }
    } finally {
      lock.unlock();
    }
  }

  /** When {@code id} was accepted, or -1. */
  long acceptedAt(String id) {
    lock.lock();
    try {
      long[] uuid = uuid(id);
      if (uuid == null) {
        Long at = others.get(id);
        return at == null ? -1 : at;
      }
      long hash = hash(uuid[0], uuid[1]);
      Page page = directory[(int) hash & (directory.length - 1)];
      long time = page.slots.get(find(page.slots, uuid[0], uuid[1], hash) + 2);
      if (time != 0) {
        return time;
      }
      Long deep = others.isEmpty() ? null : others.get(id);
      return deep == null ? -1 : deep;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Forgets every id accepted before {@code oldest} and says how many: each page is compacted in
   * place, and the pages are rebuilt (freeing room) only when a quarter or less of it is in use.
   * Call it rarely.
   *
   * <p>The lock is taken page by page, so the threads that look ids up and add them wait for one
   * page's compaction (~10 µs), not for the whole table's (~20 ms at a million ids: 2,048 pages at
   * 9-14 µs each, measured 2026-11-29). A page split in between is harmless: the directory is read
   * afresh at every index, a page created from one already compacted holds only kept or new ids,
   * and compacting a page twice changes nothing.
   */
  int forgetBefore(long oldest) {
    int[] forgotten = {0};
    lock.lock();
    try {
      int before = others.size();
      others.values().removeIf(at -> at < oldest);
      forgotten[0] = before - others.size();
    } finally {
      lock.unlock();
    }
    forEachPage(
        page -> {
          int before = page.count;
          rehash(page, oldest, null);
          uuids -= before - page.count;
          forgotten[0] += before - page.count;
        });
    lock.lock();
    try {
      if (pages > 1 && uuids * 4L <= (long) pages * PAGE_MAX) {
        shrink();
      }
    } finally {
      lock.unlock();
    }
    return forgotten[0];
  }

  /** Buckets of acceptance time {@link #cutoffForOldest} counts ids in. */
  private static final int TIME_BUCKETS = 4096;

  /**
   * A time such that {@link #forgetBefore} it forgets the {@code count} oldest ids, and at most the
   * ids accepted within 1/{@value #TIME_BUCKETS} of the remembered time span after the newest of
   * them: two passes over every slot, no allocation beyond a small histogram. 1 when {@code count}
   * is 0 or less (forgets nothing); past the newest time when it is the size or more (forgets all).
   * Like {@link #forgetBefore} it takes the lock page by page; ids added meanwhile are newer than
   * the ones it is looking for.
   */
  long cutoffForOldest(int count) {
    if (count <= 0) {
      return 1;
    }
    long[] range = {Long.MAX_VALUE, Long.MIN_VALUE};
    forEachTime(
        t -> {
          range[0] = Math.min(range[0], t);
          range[1] = Math.max(range[1], t);
        });
    long min = range[0];
    long max = range[1];
    if (count >= size() || min >= max) {
      return max == Long.MIN_VALUE ? 1 : max + 1;
    }
    long span = max - min + 1;
    int[] histogram = new int[TIME_BUCKETS];
    forEachTime(
        t -> {
          long b = (Math.max(t, min) - min) * TIME_BUCKETS / span;
          histogram[(int) Math.min(b, TIME_BUCKETS - 1)]++;
        });
    long seen = 0;
    for (int b = 0; b < TIME_BUCKETS; b++) {
      seen += histogram[b];
      if (seen >= count) {
        // every time in buckets 0..b is below this, every time in later buckets at or above it
        return min + Math.floorDiv((b + 1) * span + TIME_BUCKETS - 1, TIME_BUCKETS);
      }
    }
    return max + 1;
  }

  /** Calls {@code action} with the acceptance time of every id, holding the lock page by page. */
  private void forEachTime(LongConsumer action) {
    lock.lock();
    try {
      for (long t : others.values()) {
        action.accept(t);
      }
    } finally {
      lock.unlock();
    }
    forEachPage(
        page -> {
          for (int at = 2; at < PAGE_SLOTS * 3; at += 3) {
            long t = page.slots.get(at);
            if (t != 0) {
              action.accept(t);
            }
          }
        });
  }

  /**
   * Calls {@code action} with every page once (at the lowest of its directory indices), holding the
   * lock for one page at a time and reading the directory afresh for each index.
   */
  private void forEachPage(Consumer<Page> action) {
    for (int i = 0; ; i++) {
      lock.lock();
      try {
        if (i >= directory.length) {
          return;
        }
        Page page = directory[i];
        if (i < (1 << page.depth)) {
          action.accept(page);
        }
      } finally {
        lock.unlock();
      }
    }
  }

  /** Number of ids remembered. */
  int size() {
    lock.lock();
    try {
      return uuids + others.size();
    } finally {
      lock.unlock();
    }
  }

  /** Pages in use (for tests and the memory estimate: 24 KB each). */
  int pages() {
    lock.lock();
    try {
      return pages;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Stores the UUID with its time, or keeps the later time when it is there; splits full pages as
   * needed. False when its page is full at {@link #MAX_DEPTH}: the caller keeps it elsewhere.
   */
  private boolean put(long high, long low, long millis) {
    long hash = hash(high, low);
    while (true) {
      Page page = directory[(int) hash & (directory.length - 1)];
      int at = find(page.slots, high, low, hash);
      long time = page.slots.get(at + 2);
      if (time != 0) {
        page.slots.put(at + 2, Math.max(time, millis));
        return true;
      }
      if (page.count < PAGE_MAX) {
        insert(page, high, low, millis, hash);
        uuids++;
        return true;
      }
      if (page.depth >= MAX_DEPTH) {
        return false;
      }
      split(page, hash);
    }
  }

  /** Splits a full page in two by the next bit of the hash, doubling the directory if needed. */
  private void split(Page page, long hash) {
    if (1 << page.depth == directory.length) {
      Page[] doubled = Arrays.copyOf(directory, directory.length * 2);
      System.arraycopy(directory, 0, doubled, directory.length, directory.length);
      directory = doubled;
    }
    int bit = 1 << page.depth;
    page.depth++;
    Page sibling = new Page(page.depth);
    pages++;
    // the directory entries of the page whose new bit is set now point to the sibling
    for (int i = ((int) hash & (bit - 1)) | bit; i < directory.length; i += bit << 1) {
      directory[i] = sibling;
    }
    rehash(page, 1, sibling);
  }

  /**
   * Re-inserts the page's ids accepted at {@code oldest} or later: into {@code sibling} when it is
   * given and their hash has the page's newest bit set, else back into the page.
   */
  private void rehash(Page page, long oldest, Page sibling) {
    page.slots.get(0, scratch);
    page.slots.put(0, EMPTY_PAGE);
    page.count = 0;
    long bit = sibling == null ? 0 : 1L << (page.depth - 1);
    for (int at = 0; at < scratch.length; at += 3) {
      long time = scratch[at + 2];
      if (time != 0 && time >= oldest) {
        long hash = hash(scratch[at], scratch[at + 1]);
        Page target = (hash & bit) != 0 ? sibling : page;
        insert(target, scratch[at], scratch[at + 1], time, hash);
      }
    }
  }

  /** Starts again with as few pages as the remaining ids need. */
  private void shrink() {
    Page[] old = directory;
    long[] copy = new long[PAGE_SLOTS * 3]; // not scratch: put() may split, which uses scratch
    directory = new Page[] {new Page(0)};
    pages = 1;
    uuids = 0;
    for (int i = 0; i < old.length; i++) {
      Page page = old[i];
      if (i >= (1 << page.depth)) {
        continue;
      }
      page.slots.get(0, copy);
      for (int at = 0; at < copy.length; at += 3) {
        long time = copy[at + 2];
        if (time != 0 && !put(copy[at], copy[at + 1], time)) {
          others.merge(new UUID(copy[at], copy[at + 1]).toString(), time, Math::max);
        }
      }
    }
  }

  private static void insert(Page page, long high, long low, long time, long hash) {
    int at = find(page.slots, high, low, hash);
    page.slots.put(at, high);
    page.slots.put(at + 1, low);
    page.slots.put(at + 2, time);
    page.count++;
  }

  /** The index of the slot holding the UUID, or of the empty slot where it belongs. */
  private static int find(LongBuffer slots, long high, long low, long hash) {
    int mask = PAGE_SLOTS - 1;
    int slot = (int) (hash >>> 40) & mask; // the directory uses the low bits
    while (true) {
      int at = slot * 3;
      if (slots.get(at + 2) == 0 || (slots.get(at) == high && slots.get(at + 1) == low)) {
        return at;
      }
      slot = (slot + 1) & mask;
    }
  }

  private static long hash(long high, long low) {
    long h = (high ^ Long.rotateLeft(low, 29)) * 0x9E3779B97F4A7C15L;
    return h ^ (h >>> 31);
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
