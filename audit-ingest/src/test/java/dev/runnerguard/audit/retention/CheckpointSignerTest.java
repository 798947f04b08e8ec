package dev.runnerguard.audit.retention;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class CheckpointSignerTest {
  private static final String KEY = "a-very-secret-checkpoint-key-of-40-bytes!";
  private static final byte[] HASH = new byte[32];
  private static final Instant T = Instant.ofEpochMilli(1_700_000_000_123L);

  @Test
  void signsAndVerifies() {
    CheckpointSigner s = CheckpointSigner.of(KEY, "k1");
    byte[] sig = s.sign(5, HASH, 5, T);
    assertThat(s.verify(5, HASH, 5, T, "HMAC-SHA256", "k1", sig)).isTrue();
    assertThat(s.verify(6, HASH, 5, T, "HMAC-SHA256", "k1", sig)).isFalse();
    assertThat(s.verify(5, HASH, 4, T, "HMAC-SHA256", "k1", sig)).isFalse();
    assertThat(s.verify(5, HASH, 5, T.plusMillis(1), "HMAC-SHA256", "k1", sig)).isFalse();
    assertThat(s.verify(5, HASH, 5, T, "HMAC-SHA256", "k2", sig)).isFalse();
    assertThat(CheckpointSigner.of(KEY + "x", "k1").verify(5, HASH, 5, T, "HMAC-SHA256", "k1", sig))
        .isFalse();
    assertThat(CheckpointSigner.none().verify(5, HASH, 5, T, "HMAC-SHA256", "k1", sig)).isFalse();
  }

  @Test
  void theKeyNeverShowsInTextOrErrors() {
    assertThat(CheckpointSigner.of(KEY, "k1").toString()).doesNotContain(KEY).contains("***");
    assertThatThrownBy(() -> CheckpointSigner.of("short-secret", "k1"))
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("short-secret"));
    assertThatThrownBy(() -> CheckpointSigner.none().sign(1, HASH, 1, T))
        .isInstanceOf(IllegalStateException.class);
  }
}
