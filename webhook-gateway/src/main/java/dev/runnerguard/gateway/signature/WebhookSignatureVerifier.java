package dev.runnerguard.gateway.signature;

import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Verifies GitHub's {@code X-Hub-Signature-256}: {@code sha256=} followed by the lowercase hex
 * HMAC-SHA256 of the raw body under the webhook secret. Up to two secrets are active at once (the
 * current one and the previous one) so a secret can be rotated without dropping deliveries. The
 * comparison is constant-time ({@link MessageDigest#isEqual}) and every active secret is always
 * tried, so timing does not tell which one matched. Nothing here ever returns or prints a secret or
 * the header value.
 */
public final class WebhookSignatureVerifier {
  /** The header's prefix. */
  public static final String PREFIX = "sha256=";

  private static final String ALGORITHM = "HmacSHA256";
  private static final int HEX_LENGTH = 64;

  /** What the check found. */
  public enum Result {
    /** The signature matches one active secret. */
    VALID,
    /** The header is missing or not {@code sha256=<64 hex digits>}. */
    MALFORMED,
    /** Well-formed, but matches no active secret. */
    MISMATCH
  }

  private final List<SecretKeySpec> keys;

  /**
   * @param secrets the active secrets, current first; one or two, each non-empty
   */
  public WebhookSignatureVerifier(List<byte[]> secrets) {
    if (secrets.isEmpty() || secrets.size() > 2) {
      throw new IllegalArgumentException("one or two webhook secrets must be active");
    }
    this.keys =
        secrets.stream()
            .map(
                s -> {
                  if (s == null || s.length == 0) {
                    throw new IllegalArgumentException("a webhook secret must not be empty");
                  }
                  return new SecretKeySpec(s, ALGORITHM);
                })
            .toList();
  }

  /** Checks the header against the raw body bytes. */
  public Result verify(byte[] body, String header) {
    byte[] expected = parse(header);
    if (expected == null) {
      return Result.MALFORMED;
    }
    boolean match = false;
    for (SecretKeySpec key : keys) {
      // no early exit: the time taken does not depend on which secret matched
      match |= MessageDigest.isEqual(hmac(key, body), expected);
    }
    return match ? Result.VALID : Result.MISMATCH;
  }

  /** The header value GitHub would send for this body under this secret (for tests and tools). */
  public static String sign(byte[] secret, byte[] body) {
    return PREFIX + HexFormat.of().formatHex(hmac(new SecretKeySpec(secret, ALGORITHM), body));
  }

  private static byte[] parse(String header) {
    if (header == null
        || header.length() != PREFIX.length() + HEX_LENGTH
        || !header.regionMatches(true, 0, PREFIX, 0, PREFIX.length())) {
      return null;
    }
    String hex = header.substring(PREFIX.length());
    for (int i = 0; i < hex.length(); i++) {
      if (Character.digit(hex.charAt(i), 16) < 0) {
        return null;
      }
    }
    return HexFormat.of().parseHex(hex);
  }

  private static byte[] hmac(SecretKeySpec key, byte[] body) {
    try {
      Mac mac = Mac.getInstance(ALGORITHM);
      mac.init(key);
      return mac.doFinal(body);
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      // HmacSHA256 is mandatory on every JDK; the key was validated in the constructor
      throw new IllegalStateException("HmacSHA256 unavailable", e);
    }
  }
}
