package dev.runnerguard.audit.retention;

import java.time.Instant;

/** A row of {@code audit_checkpoint}: the last pruned row's seq and hash, signed. */
public record Checkpoint(
    long throughSeq,
    byte[] lastHash,
    long prunedRows,
    Instant createdAt,
    String algorithm,
    String keyId,
    byte[] signature) {

  /** Whether the signature verifies with the signer's key. */
  public boolean verifiedBy(CheckpointSigner signer) {
    return signer.verify(throughSeq, lastHash, prunedRows, createdAt, algorithm, keyId, signature);
  }
}
