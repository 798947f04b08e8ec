package dev.runnerguard.audit.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.runnerguard.schemas.ConsumingChannel;
import dev.runnerguard.schemas.Topics;
import java.io.InputStream;
import java.util.Arrays;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The one platform channel reads exactly the topics of audit-ingest's ConsumingChannel entries. */
class PlatformChannelConfigTest {

  private static Properties config() throws Exception {
    Properties p = new Properties();
    try (InputStream in =
        PlatformChannelConfigTest.class.getResourceAsStream("/application.properties")) {
      p.load(in);
    }
    return p;
  }

  @Test
  void theChannelReadsEveryPlatformTopicAndNothingElse() throws Exception {
    String prefix = "mp.messaging.incoming." + PlatformIntake.PLATFORM_CHANNEL + ".";
    Set<String> configured =
        Arrays.stream(config().getProperty(prefix + "topics").split(","))
            .map(String::trim)
            .collect(Collectors.toSet());
    Set<String> declared =
        Arrays.stream(ConsumingChannel.values())
            .filter(c -> c.channel().startsWith("audit-"))
            .map(c -> c.topic().topicName())
            .collect(Collectors.toSet());

    assertThat(configured).isEqualTo(declared).isEqualTo(PlatformIntake.CHANNELS.keySet());
    // "every platform topic": each topic of Topics but the one audit-ingest writes
    assertThat(configured)
        .isEqualTo(
            Arrays.stream(Topics.values())
                .filter(t -> t != Topics.AUDIT_OCSF)
                .map(Topics::topicName)
                .collect(Collectors.toSet()));
  }

  @Test
  void eachTopicDeadLettersToItsOwnTopic() {
    assertThat(PlatformIntake.channelOf("runner.lifecycle"))
        .isEqualTo(ConsumingChannel.AUDIT_RUNNER_LIFECYCLE);
    assertThat(PlatformIntake.channelOf("runner.lifecycle").deadLetterTopic())
        .isEqualTo("runner.lifecycle.dlt.audit-runner-lifecycle");
    assertThat(PlatformIntake.channelOf("falco.events"))
        .isEqualTo(ConsumingChannel.AUDIT_FALCO_EVENTS);
    assertThat(PlatformIntake.channelOf("runner.provider-event").deadLetterTopic())
        .isEqualTo("runner.provider-event.dlt.audit-runner-provider-event");
  }

  @Test
  void aTopicWithoutAnAuditChannelIsAConfigurationErrorNamingTheSetting() {
    assertThatThrownBy(() -> PlatformIntake.channelOf("audit.ocsf"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("audit.ocsf")
        .hasMessageContaining("mp.messaging.incoming.audit-platform.topics");
  }
}
