package dev.runnerguard.audit.store;

import dev.runnerguard.audit.retention.Checkpoint;

/**
 * The outcome of walking the chain: {@code ok}, how many rows were checked, the first row whose
 * {@code prev_hash} or {@code hash} does not match (null when the chain is intact), and the
 * retention checkpoint the walk started from (null when nothing was pruned).
 */
public record VerifyResult(boolean ok, long checked, Broken firstBroken, Checkpoint checkpoint) {

  /** The first broken row and why. */
  public record Broken(long seq, String eventId, String reason) {}
}
