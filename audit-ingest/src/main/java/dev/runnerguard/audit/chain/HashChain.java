package dev.runnerguard.audit.chain;

import com.fasterxml.jackson.databind.JsonNode;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * The audit chain: {@code hash = SHA-256(prev_hash || canonical JSON of the OCSF event)}, where the
 * first row's {@code prev_hash} is {@link #GENESIS} (32 zero bytes) and every later row's is the
 * previous row's {@code hash}. The OCSF event carries the event id ({@code metadata.uid}) and the
 * Kafka position, so they are covered too. Pure.
 */
public final class HashChain {

  /** The {@code prev_hash} of the first row. */
  public static final byte[] GENESIS = new byte[32];

  private HashChain() {}

  /** The hash of a row. */
  public static byte[] hash(byte[] prevHash, JsonNode ocsf) {
    return hash(prevHash, CanonicalJson.bytes(ocsf));
  }

  /** The hash of a row from its canonical bytes. */
  public static byte[] hash(byte[] prevHash, byte[] canonical) {
    return hash(prevHash, canonical, 0, canonical.length);
  }

  /** The hash of a row from its canonical bytes {@code canonical[off, off + len)}. */
  public static byte[] hash(byte[] prevHash, byte[] canonical, int off, int len) {
    if (prevHash == null || prevHash.length != 32) {
      throw new IllegalArgumentException("prev_hash must be 32 bytes");
    }
    MessageDigest sha = SHA256.get();
    sha.reset();
    sha.update(prevHash);
    sha.update(canonical, off, len);
    return sha.digest();
  }

  // MessageDigest.getInstance looks the provider up each time: one digest per thread instead
  private static final ThreadLocal<MessageDigest> SHA256 =
      ThreadLocal.withInitial(HashChain::sha256);

  /** Whether a stored row is intact given the hash the previous row ends with. */
  public static boolean intact(
      byte[] expectedPrev, byte[] storedPrev, byte[] storedHash, JsonNode ocsf) {
    return Arrays.equals(expectedPrev, storedPrev)
        && Arrays.equals(storedHash, hash(storedPrev, ocsf));
  }

  /** Lower-case hex of a hash. */
  public static String hex(byte[] hash) {
    return HexFormat.of().formatHex(hash);
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }
}
