package dev.runnerguard.schemas;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;
import net.jpountz.lz4.LZ4Compressor;
import net.jpountz.lz4.LZ4Factory;
import net.jpountz.lz4.LZ4FrameInputStream;
import net.jpountz.xxhash.XXHash32;
import net.jpountz.xxhash.XXHashFactory;

/**
 * The raw webhook body that {@code WorkflowJobEvent} and {@code GitHubWebhookEvent} keep for audit
 * ({@code rawBody}, compressed as {@code rawBodyEncoding} says).
 *
 * <p>The gateway writes {@value #LZ4_FRAME}: the standard <a
 * href="https://github.com/lz4/lz4/blob/dev/doc/lz4_Frame_format.md">LZ4 frame format</a>
 * (independent 4 MB blocks, content size and content checksum present), which the {@code lz4}
 * command and every LZ4 library read. It costs 8.2 µs per 10 KB body with lz4-java's native
 * compressor against 59.2 µs for gzip's fastest level, for 2,893 instead of 2,152 bytes
 * (BENCHMARKS.md). Records written before carry {@value #GZIP} (the field's default).
 *
 * <p>The frame is written here rather than with {@link net.jpountz.lz4.LZ4FrameOutputStream}
 * because that stream allocates two block-sized buffers per body; here the block compressor of
 * lz4-java writes into one buffer per thread and only the result is allocated.
 */
public final class RawBodies {

  /** The LZ4 frame format; what the gateway writes. */
  public static final String LZ4_FRAME = "lz4-frame";

  /** One gzip member; what records written before {@value #LZ4_FRAME} carry. */
  public static final String GZIP = "gzip";

  private static final int MAGIC = 0x184D2204;

  /** FLG: version 01, independent blocks, no block checksums, content size, content checksum. */
  private static final byte FLG = 0b0110_1100;

  /** BD: 4 MB maximum block size. */
  private static final byte BD = 0b0111_0000;

  static final int BLOCK_BYTES = 4 * 1024 * 1024;

  /** magic, FLG, BD, content size, header checksum */
  private static final int HEADER_BYTES = 4 + 1 + 1 + 8 + 1;

  private static final int UNCOMPRESSED_BLOCK = 0x8000_0000;

  private static final LZ4Compressor COMPRESSOR = compressor();
  private static final XXHash32 XXHASH = XXHashFactory.fastestInstance().hash32();

  /** Per-thread output buffer of {@link #lz4Frame}, kept while at most this large. */
  private static final int KEPT_BUFFER_BYTES = 256 * 1024;

  private static final ThreadLocal<byte[]> BUFFER =
      ThreadLocal.withInitial(() -> new byte[64 * 1024]);

  private RawBodies() {}

  /**
   * lz4-java's JNI compressor where it ships a native library for the platform, else its pure-Java
   * one. Asked for explicitly: {@code LZ4Factory.fastestInstance()} never picks the native library
   * when lz4-java is loaded by a class loader other than the system one (as in a Quarkus
   * application), and its Java compressor took 30.9 µs per 10 KB body against 8.2 µs (the
   * benchmark's bodies, interleaved rounds in one JVM). Only compression is native: the input is
   * just bytes; {@link #decode} uses {@code LZ4FrameInputStream}'s default safe decompressor.
   */
  static LZ4Compressor compressor() {
    try {
      return LZ4Factory.nativeInstance().fastCompressor();
    } catch (LinkageError | RuntimeException e) {
      // no native library for this platform, or it cannot be extracted or loaded here
      return LZ4Factory.fastestJavaInstance().fastCompressor();
    }
  }

  /**
   * Which compressor {@link #lz4Frame} uses, e.g. {@code LZ4JNICompressor} (tests, diagnostics).
   */
  public static String compressorName() {
    return COMPRESSOR.getClass().getSimpleName();
  }

  /** The body as one LZ4 frame ({@value #LZ4_FRAME}). */
  public static byte[] lz4Frame(byte[] body) {
    return lz4Frame(body, COMPRESSOR);
  }

  /** The frame written with the given block compressor (tests use the Java fallback). */
  static byte[] lz4Frame(byte[] body, LZ4Compressor compressor) {
    int blocks = Math.max(1, (body.length + BLOCK_BYTES - 1) / BLOCK_BYTES);
    int bound =
        HEADER_BYTES
            + blocks * 4
            + compressor.maxCompressedLength(Math.min(body.length, BLOCK_BYTES)) * blocks
            + 4
            + 4;
    byte[] out = BUFFER.get();
    if (out.length < bound) {
      out = new byte[bound];
    }
    int at = putIntLe(out, 0, MAGIC);
    out[at++] = FLG;
    out[at++] = BD;
    at = putLongLe(out, at, body.length);
    out[at] = (byte) (XXHASH.hash(out, 4, at - 4, 0) >>> 8);
    at++;
    for (int from = 0; from < body.length; from += BLOCK_BYTES) {
      int length = Math.min(BLOCK_BYTES, body.length - from);
      int compressed =
          compressor.compress(body, from, length, out, at + 4, out.length - at - 4 - 8);
      if (compressed < length) {
        putIntLe(out, at, compressed);
        at += 4 + compressed;
      } else { // incompressible: stored as is
        putIntLe(out, at, UNCOMPRESSED_BLOCK | length);
        System.arraycopy(body, from, out, at + 4, length);
        at += 4 + length;
      }
    }
    at = putIntLe(out, at, 0); // end mark
    at = putIntLe(out, at, XXHASH.hash(body, 0, body.length, 0));
    if (out.length <= KEPT_BUFFER_BYTES) {
      BUFFER.set(out);
    }
    return Arrays.copyOf(out, at);
  }

  /**
   * The raw body back from a record's {@code rawBody} and {@code rawBodyEncoding}.
   *
   * @throws IllegalArgumentException for an unknown encoding or bytes that are not a valid frame of
   *     it (the message names the encoding, never the bytes)
   */
  public static byte[] decode(String encoding, ByteBuffer rawBody) {
    if (!LZ4_FRAME.equals(encoding) && !GZIP.equals(encoding)) {
      throw new IllegalArgumentException(
          "unknown raw body encoding '" + encoding + "' (known: lz4-frame, gzip)");
    }
    ByteBuffer view = rawBody.duplicate();
    byte[] bytes = new byte[view.remaining()];
    view.get(bytes);
    try (InputStream in =
        LZ4_FRAME.equals(encoding)
            ? new LZ4FrameInputStream(new ByteArrayInputStream(bytes))
            : new GZIPInputStream(new ByteArrayInputStream(bytes))) {
      return in.readAllBytes();
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException(
          "cannot decode a " + bytes.length + "-byte " + encoding + " raw body: not a valid frame",
          e);
    }
  }

  private static int putIntLe(byte[] out, int at, int value) {
    out[at] = (byte) value;
    out[at + 1] = (byte) (value >>> 8);
    out[at + 2] = (byte) (value >>> 16);
    out[at + 3] = (byte) (value >>> 24);
    return at + 4;
  }

  private static int putLongLe(byte[] out, int at, long value) {
    putIntLe(out, at, (int) value);
    return putIntLe(out, at + 4, (int) (value >>> 32));
  }
}
