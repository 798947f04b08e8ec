package dev.runnerguard.gateway.dedupe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class AcceptedIdsTest {
  @Test
  void aCanonicalUuidIsReadAsItsTwoLongs() {
    UUID uuid = UUID.fromString("72d3162e-cc78-11e3-81ab-4c9367dc0958"); // GitHub's docs example
    assertThat(AcceptedIds.uuid(uuid.toString()))
        .containsExactly(uuid.getMostSignificantBits(), uuid.getLeastSignificantBits());
  }

  @Test
  void everyOtherSpellingIsNotAUuidHere() {
    for (String id :
        new String[] {
          "72D3162E-CC78-11E3-81AB-4C9367DC0958", // upper case: a different string, kept apart
          "72d3162ecc7811e381ab4c9367dc0958",
          "72d3162e-cc78-11e3-81ab-4c9367dc095",
          "72d3162e-cc78-11e3-81ab-4c9367dc0958a",
          "72d3162e+cc78-11e3-81ab-4c9367dc0958",
          "72d3162e-cc78-11e3-81ab-4c9367dc095g",
          "",
          "d-1"
        }) {
      assertThat(AcceptedIds.uuid(id)).as(id).isNull();
    }
    assertThat(AcceptedIds.uuid(null)).isNull();
  }

  /** Random operations against a HashMap reference: UUIDs, other ids, growth and forgetting. */
  @Test
  void behavesLikeAMapOfTheLaterAcceptanceTime() {
    Random random = new Random(20261127L);
    AcceptedIds ids = new AcceptedIds();
    Map<String, Long> reference = new HashMap<>();
    List<String> known = new ArrayList<>();
    long now = 1_000;
    for (int op = 0; op < 200_000; op++) {
      now += random.nextInt(3);
      int kind = random.nextInt(100);
      if (kind < 55 || known.isEmpty()) {
        String id = newId(random);
        known.add(id);
        ids.accept(id, now);
        reference.merge(id, now, Math::max);
      } else if (kind < 70) {
        String id = known.get(random.nextInt(known.size()));
        long at = now - random.nextInt(5_000); // an older or newer time for a known id
        ids.accept(id, Math.max(1, at));
        reference.merge(id, Math.max(1, at), Math::max);
      } else if (kind < 99) {
        String id = random.nextBoolean() ? known.get(random.nextInt(known.size())) : newId(random);
        assertThat(ids.acceptedAt(id)).as(id).isEqualTo(reference.getOrDefault(id, -1L));
      } else {
        long oldest = now - random.nextInt(20_000);
        ids.forgetBefore(oldest);
        reference.values().removeIf(at -> at < oldest);
      }
      if (op % 10_000 == 0) {
        assertThat(ids.size()).isEqualTo(reference.size());
      }
    }
    assertThat(ids.size()).isEqualTo(reference.size());
    for (String id : known) {
      assertThat(ids.acceptedAt(id)).as(id).isEqualTo(reference.getOrDefault(id, -1L));
    }
  }

  @Test
  void anUpperCaseUuidIsADifferentIdFromItsLowerCaseSpelling() {
    AcceptedIds ids = new AcceptedIds();
    String lower = UUID.randomUUID().toString();
    ids.accept(lower.toUpperCase(Locale.ROOT), 5);

    assertThat(ids.acceptedAt(lower)).isEqualTo(-1);
    assertThat(ids.acceptedAt(lower.toUpperCase(Locale.ROOT))).isEqualTo(5);
  }

  /** Half a million UUIDs: the table grows many times; each id keeps its own time. */
  @Test
  void manyIdsGrowTheTableAndKeepTheirTimes() {
    Random random = new Random(42);
    AcceptedIds ids = new AcceptedIds();
    int n = 500_000;
    long[] highs = new long[n];
    long[] lows = new long[n];
    for (int i = 0; i < n; i++) {
      highs[i] = random.nextLong();
      lows[i] = random.nextLong();
      ids.accept(new UUID(highs[i], lows[i]).toString(), i + 1);
    }
    assertThat(ids.size()).isEqualTo(n);
    for (int i = 0; i < n; i++) {
      assertThat(ids.acceptedAt(new UUID(highs[i], lows[i]).toString())).isEqualTo(i + 1);
    }
    assertThat(ids.acceptedAt(new UUID(highs[0], lows[0] + 1).toString())).isEqualTo(-1);
    ids.forgetBefore(n / 2 + 1);
    assertThat(ids.size()).isEqualTo(n / 2);
    assertThat(ids.acceptedAt(new UUID(highs[0], lows[0]).toString())).isEqualTo(-1);
    assertThat(ids.acceptedAt(new UUID(highs[n - 1], lows[n - 1]).toString())).isEqualTo(n);
  }

  /**
   * The table grows by splitting pages, never by copying itself: the page count follows the ids
   * (each page holds 3/8 to 3/4 of its slots), and forgetting most ids gives the room back.
   */
  @Test
  void pagesSplitAsIdsArriveAndAreGivenBackWhenMostAreForgotten() {
    Random random = new Random(7);
    AcceptedIds ids = new AcceptedIds();
    int n = 200_000;
    String[] all = new String[n];
    for (int i = 0; i < n; i++) {
      all[i] = new UUID(random.nextLong(), random.nextLong()).toString();
      ids.accept(all[i], i + 1);
    }
    int perPageMax = AcceptedIds.PAGE_SLOTS * 3 / 4;
    assertThat(ids.pages()).isBetween(n / perPageMax, 2 * n / (perPageMax / 2));

    ids.forgetBefore(n - 999); // keeps the last 1000: more than a page, so the rebuild splits
    assertThat(ids.size()).isEqualTo(1000);
    assertThat(ids.pages()).isBetween(2, 4);
    for (int i = 0; i < n; i++) {
      assertThat(ids.acceptedAt(all[i])).as(all[i]).isEqualTo(i >= n - 1000 ? i + 1 : -1);
    }

    ids.forgetBefore(n + 1);
    assertThat(ids.size()).isZero();
    assertThat(ids.pages()).isEqualTo(1);
    String again = UUID.randomUUID().toString();
    ids.accept(again, 5);
    assertThat(ids.acceptedAt(again)).isEqualTo(5);
  }

  /**
   * Forgetting takes the lock page by page: ids added meanwhile (splitting pages, doubling the
   * directory) are all kept, and every id older than the cutoff is gone afterwards.
   */
  @Test
  void idsAddedWhileForgettingAreKeptAndOldOnesGo() throws Exception {
    AcceptedIds ids = new AcceptedIds();
    List<String> old = new ArrayList<>();
    for (int i = 0; i < 50_000; i++) {
      String id = UUID.randomUUID().toString();
      old.add(id);
      ids.accept(id, 1 + i % 100);
    }
    List<String> added = new ArrayList<>();
    Thread adder =
        new Thread(
            () -> {
              for (int i = 0; i < 100_000; i++) {
                String id = UUID.randomUUID().toString();
                synchronized (added) {
                  added.add(id);
                }
                ids.accept(id, 1_000 + i);
              }
            });
    adder.start();
    do {
      ids.forgetBefore(1_000); // every pass, even one that ran beside the adder, removes them all
    } while (adder.isAlive());
    adder.join();
    for (String id : old) {
      assertThat(ids.acceptedAt(id)).as(id).isEqualTo(-1);
    }
    for (int i = 0; i < added.size(); i++) {
      assertThat(ids.acceptedAt(added.get(i))).as(added.get(i)).isEqualTo(1_000 + i);
    }
    assertThat(ids.size()).isEqualTo(added.size());
  }

  @Test
  void aTimeOutOfRangeIsRefused() {
    assertThatThrownBy(() -> new AcceptedIds().accept(UUID.randomUUID().toString(), 0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(
            () -> new AcceptedIds().accept(UUID.randomUUID().toString(), AcceptedIds.MAX_TIME + 1))
        .isInstanceOf(IllegalArgumentException.class);
  }

  /**
   * Random tables (UUIDs and other ids, clustered and spread times): forgetting before the cutoff
   * for the n oldest forgets at least n ids, every one of them older than every id it keeps, and at
   * most the ids of one histogram bucket (1/4096 of the time span) more.
   */
  @Test
  void theCutoffForTheOldestForgetsThemAndLittleMore() {
    Random random = new Random(20261129L);
    for (int round = 0; round < 40; round++) {
      AcceptedIds ids = new AcceptedIds();
      Map<String, Long> reference = new HashMap<>();
      long start = 1 + random.nextInt(1_000_000);
      long span = round % 4 == 0 ? 1 + random.nextInt(10) : 1 + random.nextInt(400_000_000);
      int n = 1 + random.nextInt(round % 5 == 0 ? 50 : 30_000);
      for (int i = 0; i < n; i++) {
        String id = newId(random);
        long at = start + (long) (Math.pow(random.nextDouble(), 3) * span); // most ids early
        ids.accept(id, at);
        reference.merge(id, at, Math::max);
      }
      int count = random.nextInt(reference.size() + 2);
      long cutoff = ids.cutoffForOldest(count);
      long forgotten = reference.values().stream().filter(at -> at < cutoff).count();
      long kept = reference.size() - forgotten;
      assertThat(forgotten)
          .as("round %d: count %d", round, count)
          .isGreaterThanOrEqualTo(Math.min(count, reference.size()));
      long minTime = reference.values().stream().min(Long::compare).orElse(0L);
      long maxTime = reference.values().stream().max(Long::compare).orElse(0L);
      long bucket = (maxTime - minTime + 1) / 4096 + 1;
      if (count > 0 && count < reference.size()) {
        // nothing kept is older than the count-th oldest time plus one bucket
        List<Long> times = new ArrayList<>(reference.values());
        times.sort(null);
        long countth = times.get(count - 1);
        assertThat(cutoff).as("round %d", round).isLessThanOrEqualTo(countth + bucket + 1);
      }
      assertThat(ids.forgetBefore(cutoff)).as("round %d", round).isEqualTo(forgotten);
      assertThat(ids.size()).as("round %d", round).isEqualTo(kept);
      for (Map.Entry<String, Long> e : reference.entrySet()) {
        long expected = e.getValue() < cutoff ? -1 : e.getValue();
        assertThat(ids.acceptedAt(e.getKey())).as(e.getKey()).isEqualTo(expected);
      }
    }
    assertThat(new AcceptedIds().cutoffForOldest(5)).isEqualTo(1);
  }

  private static String newId(Random random) {
    int kind = random.nextInt(10);
    if (kind < 8) {
      return new UUID(random.nextLong(), random.nextLong()).toString();
    }
    if (kind == 8) {
      return new UUID(random.nextLong(), random.nextLong()).toString().toUpperCase(Locale.ROOT);
    }
    return "d-" + Long.toHexString(random.nextLong());
  }
}
