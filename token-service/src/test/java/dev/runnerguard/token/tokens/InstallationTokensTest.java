package dev.runnerguard.token.tokens;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.runnerguard.token.app.AppCredentials;
import dev.runnerguard.token.spi.GitHubClient;
import dev.runnerguard.token.spi.GitHubException;
import dev.runnerguard.token.spi.InstallationToken;
import dev.runnerguard.token.spi.JitConfig;
import java.security.KeyPairGenerator;
import java.security.interfaces.RSAPrivateKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class InstallationTokensTest {
  final AtomicInteger requests = new AtomicInteger();
  final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2030-01-01T00:00:00Z"));
  final CountDownLatch release = new CountDownLatch(1);
  volatile boolean fail;

  final Clock clock =
      new Clock() {
        @Override
        public ZoneOffset getZone() {
          return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
          return this;
        }

        @Override
        public Instant instant() {
          return now.get();
        }
      };

  GitHubClient fake() {
    return new GitHubClient() {
      @Override
      public InstallationToken createInstallationToken(long id, String jwt) {
        int n = requests.incrementAndGet();
        try {
          release.await();
        } catch (InterruptedException e) {
          throw new IllegalStateException(e);
        }
        if (fail) {
          throw new GitHubException("boom", 502, true, false, null);
        }
        return new InstallationToken(id, "ghs_" + n, now.get().plusSeconds(3600), Map.of());
      }

      @Override
      public JitConfig generateJitConfig(InstallationToken t, String o, String r, JitSpec s) {
        throw new UnsupportedOperationException();
      }

      @Override
      public List<RunnerInfo> listRunners(InstallationToken t, String o, String n) {
        throw new UnsupportedOperationException();
      }

      @Override
      public void deleteRunner(InstallationToken t, String o, long id) {}

      @Override
      public JobInfo getJob(InstallationToken t, String o, String r, long j) {
        throw new UnsupportedOperationException();
      }

      @Override
      public void cancelRun(InstallationToken t, String o, String r, long id, boolean f) {}
    };
  }

  InstallationTokens tokens(List<InstallationToken> minted) throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
    g.initialize(2048);
    AppCredentials app =
        new AppCredentials(1, null, (RSAPrivateKey) g.generateKeyPair().getPrivate());
    return new InstallationTokens(fake(), app, clock, Duration.ofMinutes(5), minted::add);
  }

  @Test
  void hundredConcurrentCallersOneRequestThenCachedThenRefreshed() throws Exception {
    List<InstallationToken> minted = new ArrayList<>();
    InstallationTokens tokens = tokens(minted);
    ExecutorService pool = Executors.newFixedThreadPool(100);
    try {
      List<Future<InstallationToken>> fs = new ArrayList<>();
      for (int i = 0; i < 100; i++) {
        fs.add(pool.submit(() -> tokens.get(42)));
      }
      Thread.sleep(200);
      release.countDown();
      for (Future<InstallationToken> f : fs) {
        assertThat(f.get().secret()).isEqualTo("ghs_1");
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(requests).hasValue(1);
    assertThat(minted).hasSize(1);
    now.set(now.get().plusSeconds(3600 - 301));
    assertThat(tokens.get(42).secret()).isEqualTo("ghs_1");
    now.set(now.get().plusSeconds(2));
    assertThat(tokens.get(42).secret()).isEqualTo("ghs_2");
    assertThat(requests).hasValue(2);
    assertThat(tokens.get(42).toString()).doesNotContain("ghs_");
  }

  @Test
  void failureReachesEveryWaiterAndNextCallTriesAgain() throws Exception {
    InstallationTokens tokens = tokens(new ArrayList<>());
    fail = true;
    release.countDown();
    assertThatThrownBy(() -> tokens.get(1)).isInstanceOf(GitHubException.class);
    fail = false;
    assertThat(tokens.get(1).secret()).isEqualTo("ghs_2");
  }
}
