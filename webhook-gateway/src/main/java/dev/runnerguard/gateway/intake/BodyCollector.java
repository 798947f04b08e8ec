package dev.runnerguard.gateway.intake;

import io.vertx.core.buffer.Buffer;
import java.util.Arrays;

/**
 * Collects one request body into a byte array, within a limit, as its chunks arrive.
 *
 * <p>With a declared {@code Content-Length} (already checked against the limit) the array is
 * allocated once at that length, so a 10 KB delivery costs one 10 KB array and one copy of each
 * chunk. Vert.x's {@code BodyHandler} grew a buffer from 1 KB by doubling and then the body was
 * copied out of it again, about 40 % of the bytes the gateway allocated per delivery. The first
 * allocation is capped at {@link #MAX_PREALLOCATION}, so a client that declares 25 MB and sends
 * nothing holds no more than that; beyond it, and for a chunked body without a length, the array
 * doubles up to the limit.
 *
 * <p>Not thread-safe: one instance per request, used on its event loop.
 */
final class BodyCollector {
  /** The largest array allocated before any byte arrived. */
  static final int MAX_PREALLOCATION = 1 << 20;

  /** The largest limit: the longest array a JVM allocates. */
  static final long MAX_LIMIT = Integer.MAX_VALUE - 8;

  private static final int CHUNKED_INITIAL = 16 * 1024;

  private final long limit;
  private byte[] bytes;
  private int length;
  private boolean overLimit;

  /**
   * @param declaredLength the request's {@code Content-Length}, or -1 when it has none
   * @param limit the most bytes the body may have
   */
  BodyCollector(long declaredLength, long limit) {
    this.limit = checkLimit(limit);
    long initial = declaredLength >= 0 ? declaredLength : CHUNKED_INITIAL;
    this.bytes = new byte[(int) Math.min(Math.min(initial, limit), MAX_PREALLOCATION)];
  }

  /** The declared {@code Content-Length}: -1 when absent, {@code Long.MAX_VALUE} when garbled. */
  static long declaredLength(String header) {
    if (header == null) {
      return -1;
    }
    try {
      long length = Long.parseLong(header.trim());
      return length < 0 ? Long.MAX_VALUE : length;
    } catch (NumberFormatException e) {
      return Long.MAX_VALUE; // not a number: refuse rather than read
    }
  }

  /**
   * @return the limit, when a collector can hold it
   * @throws IllegalArgumentException naming {@code runnerguard.gateway.max-body-size} otherwise
   */
  static long checkLimit(long limit) {
    if (limit < 0 || limit > MAX_LIMIT) {
      throw new IllegalArgumentException(
          "runnerguard.gateway.max-body-size must be between 0 and "
              + MAX_LIMIT
              + " bytes, was "
              + limit);
    }
    return limit;
  }

  /**
   * Appends a chunk.
   *
   * @return false when the body went over the limit; it then holds nothing and ignores further
   *     chunks
   */
  boolean append(Buffer chunk) {
    if (overLimit) {
      return false;
    }
    int n = chunk.length();
    if (length + (long) n > limit) {
      overLimit = true;
      bytes = null;
      return false;
    }
    if (length + n > bytes.length) {
      bytes = Arrays.copyOf(bytes, (int) Math.min(limit, Math.max(length + n, 2L * bytes.length)));
    }
    chunk.getBytes(0, n, bytes, length);
    length += n;
    return true;
  }

  boolean overLimit() {
    return overLimit;
  }

  /** The body, exactly as long as what arrived (no copy when it matched the declared length). */
  byte[] body() {
    if (overLimit) {
      throw new IllegalStateException("the body went over the limit");
    }
    return length == bytes.length ? bytes : Arrays.copyOf(bytes, length);
  }
}
