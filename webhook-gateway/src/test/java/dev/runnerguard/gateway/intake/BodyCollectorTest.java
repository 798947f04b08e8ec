package dev.runnerguard.gateway.intake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.buffer.Buffer;
import java.util.Arrays;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class BodyCollectorTest {

  @Property(tries = 300)
  void collectsEveryByteInOrderWhateverTheChunkingAndDeclaredLength(
      @ForAll @IntRange(min = 0, max = 70_000) int size,
      @ForAll @IntRange(min = 1, max = 9_000) int maxChunk,
      @ForAll boolean declared,
      @ForAll long seed) {
    Random random = new Random(seed);
    byte[] body = new byte[size];
    random.nextBytes(body);
    BodyCollector collector = new BodyCollector(declared ? size : -1, 100_000);
    for (int at = 0; at < size; ) {
      int n = Math.min(size - at, 1 + random.nextInt(maxChunk));
      assertThat(collector.append(Buffer.buffer(Arrays.copyOfRange(body, at, at + n)))).isTrue();
      at += n;
    }
    assertThat(collector.overLimit()).isFalse();
    assertThat(collector.body()).isEqualTo(body);
  }

  @Test
  void aBodyOfTheDeclaredLengthIsTheArrayAllocatedUpFront() {
    BodyCollector collector = new BodyCollector(6, 100);
    collector.append(Buffer.buffer("abc"));
    collector.append(Buffer.buffer("def"));
    byte[] first = collector.body();
    assertThat(first).isEqualTo("abcdef".getBytes());
    assertThat(collector.body()).isSameAs(first);
  }

  @Test
  void aBodyShorterThanDeclaredIsCutToWhatArrived() {
    BodyCollector collector = new BodyCollector(10, 100);
    collector.append(Buffer.buffer("abc"));
    assertThat(collector.body()).isEqualTo("abc".getBytes());
  }

  @Test
  void exactlyTheLimitIsAcceptedOneByteMoreIsNot() {
    BodyCollector atLimit = new BodyCollector(-1, 5);
    assertThat(atLimit.append(Buffer.buffer("abcde"))).isTrue();
    assertThat(atLimit.body()).isEqualTo("abcde".getBytes());

    BodyCollector over = new BodyCollector(-1, 5);
    assertThat(over.append(Buffer.buffer("abc"))).isTrue();
    assertThat(over.append(Buffer.buffer("def"))).isFalse();
    assertThat(over.overLimit()).isTrue();
    assertThat(over.append(Buffer.buffer("g"))).as("ignored after the limit").isFalse();
    assertThatThrownBy(over::body).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void aHugeDeclaredLengthAllocatesAtMostTheCapUntilBytesArrive() {
    BodyCollector collector = new BodyCollector(25L * 1024 * 1024, 25L * 1024 * 1024);
    byte[] chunk = new byte[BodyCollector.MAX_PREALLOCATION];
    assertThat(collector.append(Buffer.buffer(chunk))).isTrue();
    assertThat(collector.append(Buffer.buffer(new byte[] {7}))).isTrue();
    byte[] body = collector.body();
    assertThat(body).hasSize(BodyCollector.MAX_PREALLOCATION + 1);
    assertThat(body[BodyCollector.MAX_PREALLOCATION]).isEqualTo((byte) 7);
  }

  @Test
  void anEmptyBodyIsEmpty() {
    assertThat(new BodyCollector(0, 10).body()).isEmpty();
    assertThat(new BodyCollector(-1, 10).body()).isEmpty();
    assertThat(new BodyCollector(-1, 0).append(Buffer.buffer("x"))).isFalse();
  }

  @Test
  void aLimitBeyondAnArrayIsRefused() {
    assertThatThrownBy(() -> new BodyCollector(-1, Integer.MAX_VALUE))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("runnerguard.gateway.max-body-size");
    assertThatThrownBy(() -> BodyCollector.checkLimit(-1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(BodyCollector.checkLimit(BodyCollector.MAX_LIMIT))
        .isEqualTo(BodyCollector.MAX_LIMIT);
  }

  @Test
  void declaredLengthHeaders() {
    assertThat(BodyCollector.declaredLength(null)).isEqualTo(-1);
    assertThat(BodyCollector.declaredLength(" 42 ")).isEqualTo(42);
    assertThat(BodyCollector.declaredLength("-1")).isEqualTo(Long.MAX_VALUE);
    assertThat(BodyCollector.declaredLength("ten")).isEqualTo(Long.MAX_VALUE);
    assertThat(BodyCollector.declaredLength("99999999999999999999")).isEqualTo(Long.MAX_VALUE);
  }
}
