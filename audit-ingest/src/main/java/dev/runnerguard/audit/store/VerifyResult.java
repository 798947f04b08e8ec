package dev.runnerguard.audit.store;

/**
 * The outcome of walking the chain: {@code ok}, how many rows were checked and the first row whose
 * {@code prev_hash} or {@code hash} does not match (null when the chain is intact).
 */
public record VerifyResult(boolean ok, long checked, Broken firstBroken) {

  /** The first broken row and why. */
  public record Broken(long seq, String eventId, String reason) {}
}
