package dev.runnerguard.audit.retention;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signs and checks retention checkpoints with HMAC-SHA256. The key comes from the environment or a
 * file ({@code support.SecretSettings}); PostgreSQL never sees it, so whoever can write the
 * database cannot forge a checkpoint. The key never appears in a message, a log line or {@link
 * #toString()}.
 *
 * <p>Signed text (UTF-8): {@code runnerguard-audit-checkpoint/1|<throughSeq>|<hex lastHash>|
 * <prunedRows>|<createdAt epoch ms>|<keyId>}.
 */
public final class CheckpointSigner {

  /** The value of {@code audit_checkpoint.algorithm}. */
  public static final String ALGORITHM = "HMAC-SHA256";

  private final Optional<SecretKeySpec> key;
  private final String keyId;

  private CheckpointSigner(Optional<SecretKeySpec> key, String keyId) {
    this.key = key;
    this.keyId = keyId;
  }

  /** A signer with a key (at least 32 bytes of UTF-8). */
  public static CheckpointSigner of(String secret, String keyId) {
    byte[] bytes = secret.getBytes(StandardCharsets.UTF_8);
    if (bytes.length < 32) {
      throw new IllegalStateException(
          "the checkpoint key must be at least 32 bytes (RUNNERGUARD_AUDIT_RETENTION_CHECKPOINT_KEY"
              + " or _FILE)");
    }
    return new CheckpointSigner(Optional.of(new SecretKeySpec(bytes, "HmacSHA256")), keyId);
  }

  /** A signer without a key: cannot sign, and reports every checkpoint as unverifiable. */
  public static CheckpointSigner none() {
    return new CheckpointSigner(Optional.empty(), "none");
  }

  public boolean hasKey() {
    return key.isPresent();
  }

  public String keyId() {
    return keyId;
  }

  /** The text that is signed. */
  static byte[] payload(
      long throughSeq, byte[] lastHash, long prunedRows, Instant createdAt, String keyId) {
    return ("runnerguard-audit-checkpoint/1|"
            + throughSeq
            + "|"
            + HexFormat.of().formatHex(lastHash)
            + "|"
            + prunedRows
            + "|"
            + createdAt.toEpochMilli()
            + "|"
            + keyId)
        .getBytes(StandardCharsets.UTF_8);
  }

  /** The signature of a checkpoint. */
  public byte[] sign(long throughSeq, byte[] lastHash, long prunedRows, Instant createdAt) {
    return mac(payload(throughSeq, lastHash, prunedRows, createdAt, keyId));
  }

  /** Whether a stored checkpoint carries a valid signature by this key (constant time). */
  public boolean verify(
      long throughSeq,
      byte[] lastHash,
      long prunedRows,
      Instant createdAt,
      String algorithm,
      String storedKeyId,
      byte[] signature) {
    if (key.isEmpty() || !ALGORITHM.equals(algorithm) || !keyId.equals(storedKeyId)) {
      return false;
    }
    byte[] expected = mac(payload(throughSeq, lastHash, prunedRows, createdAt, storedKeyId));
    return MessageDigest.isEqual(expected, signature);
  }

  private byte[] mac(byte[] payload) {
    SecretKeySpec k =
        key.orElseThrow(() -> new IllegalStateException("no checkpoint key is configured"));
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(k);
      return mac.doFinal(payload);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is not available", e);
    }
  }

  @Override
  public String toString() {
    return "CheckpointSigner["
        + ALGORITHM
        + ", keyId="
        + keyId
        + ", key="
        + (hasKey() ? "***" : "none")
        + "]";
  }
}
