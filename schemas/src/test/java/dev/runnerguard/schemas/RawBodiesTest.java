package dev.runnerguard.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import java.util.zip.GZIPOutputStream;
import net.jpountz.lz4.LZ4Compressor;
import net.jpountz.lz4.LZ4Factory;
import net.jpountz.lz4.LZ4FrameInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RawBodiesTest {

  private static byte[] body(int size, int round) {
    byte[] body = new byte[size];
    if (round == 1) {
      new Random(size).nextBytes(body); // incompressible: blocks stored as they are
    } else {
      for (int i = 0; i < size; i++) {
        body[i] = (byte) "{\"a\":[1,2,3]}".charAt((i + round) % 13);
      }
    }
    return body;
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 100, 10_240, 300_000, RawBodies.BLOCK_BYTES + 17})
  void lz4FrameIsReadByLz4JavasOwnFrameReaderAtAnySizeAndOnRepeatedUse(int size)
      throws IOException {
    for (int round = 0; round < 3; round++) {
      byte[] body = body(size, round);
      byte[] frame = RawBodies.lz4Frame(body);
      // lz4-java's reader checks the header checksum, the block sizes and the content checksum
      try (var in = new LZ4FrameInputStream(new ByteArrayInputStream(frame))) {
        assertThat(in.readAllBytes()).isEqualTo(body);
      }
      assertThat(RawBodies.decode(RawBodies.LZ4_FRAME, ByteBuffer.wrap(frame))).isEqualTo(body);
    }
  }

  @Test
  @EnabledOnOs(value = OS.LINUX, architectures = "amd64")
  void usesLz4JavasNativeCompressorWhereItShipsOne() {
    // lz4-java ships a linux-x64 library; fastestInstance() would not pick it in a Quarkus app
    assertThat(RawBodies.compressorName()).isEqualTo("LZ4JNICompressor");
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 10_240, RawBodies.BLOCK_BYTES + 17})
  void theJavaFallbackWritesFramesJustAsReadable(int size) throws IOException {
    LZ4Compressor java = LZ4Factory.fastestJavaInstance().fastCompressor();
    for (int round = 0; round < 2; round++) {
      byte[] body = body(size, round);
      byte[] frame = RawBodies.lz4Frame(body, java);
      try (var in = new LZ4FrameInputStream(new ByteArrayInputStream(frame))) {
        assertThat(in.readAllBytes()).isEqualTo(body);
      }
    }
  }

  @Test
  void aJsonBodyIsCompressed() {
    byte[] body = body(10_240, 0);
    assertThat(RawBodies.lz4Frame(body).length).isLessThan(body.length / 4);
  }

  @Test
  void aFrameWithAFlippedByteIsRejectedByItsChecksum() {
    byte[] body = "{\"workflow_job\":{\"id\":1}}".repeat(50).getBytes(StandardCharsets.UTF_8);
    byte[] frame = RawBodies.lz4Frame(body);
    for (int at : new int[] {6, frame.length - 2}) { // the content size, the content checksum
      byte[] bad = frame.clone();
      bad[at] ^= 1;
      assertThatThrownBy(() -> RawBodies.decode(RawBodies.LZ4_FRAME, ByteBuffer.wrap(bad)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("lz4-frame raw body: not a valid frame");
    }
    byte[] truncated = Arrays.copyOf(frame, frame.length - 9);
    assertThatThrownBy(() -> RawBodies.decode(RawBodies.LZ4_FRAME, ByteBuffer.wrap(truncated)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void gzipBodiesOfOlderRecordsAreStillRead() throws IOException {
    byte[] body = body(10_240, 2);
    var gzip = new ByteArrayOutputStream();
    try (var out = new GZIPOutputStream(gzip)) {
      out.write(body);
    }
    // a buffer positioned past its start, as Avro may hand it over
    ByteBuffer buffer = ByteBuffer.allocate(gzip.size() + 3);
    buffer.put(new byte[3]).put(gzip.toByteArray()).flip().position(3);
    assertThat(RawBodies.decode(RawBodies.GZIP, buffer)).isEqualTo(body);
    assertThat(buffer.position()).isEqualTo(3);
  }

  @Test
  void anUnknownEncodingOrGarbageIsAClearErrorThatNeverEchoesTheBytes() {
    ByteBuffer secret = ByteBuffer.wrap("ghs_SECRETTOKEN".getBytes(StandardCharsets.UTF_8));
    assertThatThrownBy(() -> RawBodies.decode("zstd", secret))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("unknown raw body encoding 'zstd' (known: lz4-frame, gzip)");
    for (String encoding : new String[] {RawBodies.GZIP, RawBodies.LZ4_FRAME}) {
      assertThatThrownBy(() -> RawBodies.decode(encoding, secret))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("cannot decode a 15-byte " + encoding + " raw body: not a valid frame")
          .satisfies(e -> assertThat(String.valueOf(e.getCause())).doesNotContain("SECRET"));
    }
  }
}
