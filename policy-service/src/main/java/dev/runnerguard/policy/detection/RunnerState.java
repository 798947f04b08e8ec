package dev.runnerguard.policy.detection;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * What detection remembers about one runner (or, under key {@link #NO_RUNNER}, about signals that
 * name none). Serialised as JSON to the compacted detection state topic, key = runner id, so it
 * survives restarts. Mutable, accessed under the engine's lock only.
 */
public final class RunnerState {
  /** State key of findings that name no runner (e.g. runner group weakened). */
  public static final String NO_RUNNER = "-";

  /** Bound of the remembered signal ids and finding ids per runner. */
  public static final int MAX_IDS = 512;

  public String runnerId;

  /** Last lifecycle state seen, null when no lifecycle event was ever seen. */
  public String lifecycleState;

  /** When the first lifecycle event was processed (ms), 0 = never. */
  public long lifecycleSeenAt;

  public Long jobId;
  public String repository;

  /** When the runner went BUSY (event time, ms), 0 when not busy. */
  public long busySince;

  /** Max duration the lifecycle event named (attribute maxDurationSeconds), if any. */
  public Long maxDurationSeconds;

  /** When the runner's job completed (ms), 0 when not yet. */
  public long completedAt;

  /** Jobs seen in_progress on this runner name: job id -> repository. */
  public Map<Long, String> inProgressJobs = new LinkedHashMap<>();

  /** unknown-runner-online: check due at (ms) when no lifecycle event was seen by then; 0 none. */
  public long unknownCheckAt;

  /** unknown-runner-online: the triggering event and its evidence. */
  public String unknownTrigger;

  public Map<String, String> unknownEvidence = new LinkedHashMap<>();

  /** egress-outside-allowlist: denials in the current window. */
  public List<Denial> egressDenials = new ArrayList<>();

  /** Input ids already processed (signal ids, Falco uuids, webhook keys), newest last. */
  public LinkedHashSet<String> seen = new LinkedHashSet<>();

  /** Finding ids emitted for this runner, newest last. */
  public LinkedHashSet<String> emitted = new LinkedHashSet<>();

  /** Once-per-runner triggers that fired (rule id and discriminator). */
  public LinkedHashSet<String> fired = new LinkedHashSet<>();

  /** The finding whose quarantine command was issued, null while none was. */
  public String quarantinedBy;

  /** Last change (ms, processing time). */
  public long updatedAt;

  /** One counted egress denial. */
  public static final class Denial {
    public String signalId;
    public long at;
    public String destination;

    public Denial() {}

    public Denial(String signalId, long at, String destination) {
      this.signalId = signalId;
      this.at = at;
      this.destination = destination;
    }
  }

  public RunnerState() {}

  public RunnerState(String runnerId) {
    this.runnerId = runnerId;
  }

  /** Remembers an id in a bounded insertion-ordered set. */
  static void remember(LinkedHashSet<String> set, String id) {
    set.add(id);
    while (set.size() > MAX_IDS) {
      set.remove(set.iterator().next());
    }
  }
}
