package dev.runnerguard.orchestrator.runtime;

import dev.runnerguard.schemas.avro.RunnerRecord;
import dev.runnerguard.schemas.avro.RunnerState;
import dev.runnerguard.schemas.serde.EventCodec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Every runner of the read model, held as the changelog carries it: its Avro bytes plus its state,
 * so that counting by state needs no decoding. A decoded {@link RunnerRecord} (strings, maps, the
 * spec) takes about three times the heap of its bytes; with 10,000 tracked runners that difference
 * is tens of MB in a service meant to stay within 256 MB. Readers decode on access.
 */
final class RunnerIndex {
  private record Entry(RunnerState state, byte[] value) {}

  private final Map<String, Entry> runners = new ConcurrentHashMap<>();
  private final EventCodec<RunnerRecord> codec;

  RunnerIndex(EventCodec<RunnerRecord> codec) {
    this.codec = codec;
  }

  /**
   * Stores a runner's changelog value (decoded once, to check it and read its state).
   *
   * @throws dev.runnerguard.schemas.serde.UndecodableRecordException when the bytes are not a
   *     runner record (nothing is stored then)
   */
  void put(String runnerId, String topic, int partition, long offset, byte[] value) {
    RunnerRecord r = codec.decode(topic, partition, offset, value);
    runners.put(runnerId, new Entry(r.getState(), value));
  }

  void remove(String runnerId) {
    runners.remove(runnerId);
  }

  /** Every runner, decoded now (a snapshot). */
  List<RunnerRecord> all() {
    List<RunnerRecord> out = new ArrayList<>(runners.size());
    for (Entry e : runners.values()) {
      out.add(codec.decode(e.value()));
    }
    return out;
  }

  Optional<RunnerRecord> get(String runnerId) {
    Entry e = runners.get(runnerId);
    return e == null ? Optional.empty() : Optional.of(codec.decode(e.value()));
  }

  /** Runners in a state, without decoding any. */
  int count(RunnerState state) {
    int n = 0;
    for (Entry e : runners.values()) {
      if (e.state() == state) {
        n++;
      }
    }
    return n;
  }

  int size() {
    return runners.size();
  }
}
