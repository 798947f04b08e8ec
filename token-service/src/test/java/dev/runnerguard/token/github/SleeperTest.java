package dev.runnerguard.token.github;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class SleeperTest {
  /**
   * A wait is never shorter than asked: the router waits until an App's rate limit ends and must
   * find it over when it wakes. Lower bounds only; nothing here is a speed target.
   */
  @Test
  void theThreadSleeperNeverEndsBeforeTheWaitIsOver() throws Exception {
    for (Duration wait :
        new Duration[] {
          Duration.ofNanos(600_000), Duration.ofNanos(20_400_000), Duration.ofMillis(15)
        }) {
      long start = System.nanoTime();
      HttpGitHubClient.Sleeper.THREAD.sleep(wait);
      assertThat(System.nanoTime() - start).as("%s", wait).isGreaterThanOrEqualTo(wait.toNanos());
    }
  }
}
