package dev.runnerguard.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.runnerguard.schemas.ConsumingChannel;
import dev.runnerguard.schemas.Topics;
import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LauncherConfigTest {

  @Test
  void serverPropertiesDescribeALocalSingleNodeKraftBroker() throws IOException {
    Properties p = new Properties();
    p.load(new StringReader(KafkaServerConfig.render(19092, 19093, Path.of("/state/kafka/data"))));

    assertThat(p.getProperty("process.roles")).isEqualTo("broker,controller");
    assertThat(p.getProperty("node.id")).isEqualTo("1");
    assertThat(p.getProperty("listeners"))
        .isEqualTo("PLAINTEXT://127.0.0.1:19092,CONTROLLER://127.0.0.1:19093");
    assertThat(p.getProperty("advertised.listeners")).isEqualTo("PLAINTEXT://127.0.0.1:19092");
    assertThat(p.getProperty("controller.quorum.bootstrap.servers")).isEqualTo("127.0.0.1:19093");
    assertThat(p.getProperty("controller.listener.names")).isEqualTo("CONTROLLER");
    assertThat(p.getProperty("log.dirs")).isEqualTo("/state/kafka/data");
    assertThat(p.getProperty("auto.create.topics.enable")).isEqualTo("false");
    assertThat(p.getProperty("offsets.topic.replication.factor")).isEqualTo("1");
    assertThat(p.getProperty("transaction.state.log.replication.factor")).isEqualTo("1");
    assertThat(p.getProperty("transaction.state.log.min.isr")).isEqualTo("1");
    // A standalone dynamic quorum is formatted with --standalone: no static voters.
    assertThat(p).doesNotContainKey("controller.quorum.voters");
  }

  @Test
  void serverPropertiesRejectBadPorts() {
    assertThatThrownBy(() -> KafkaServerConfig.render(9092, 9092, Path.of("/x")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("different ports");
    assertThatThrownBy(() -> KafkaServerConfig.render(0, 9093, Path.of("/x")))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> KafkaServerConfig.render(9092, 70000, Path.of("/x")))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void mainWritesTheFile(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("kafka/server.properties");
    KafkaServerConfig.main(
        new String[] {file.toString(), "29092", "29093", dir.resolve("data").toString()});
    assertThat(Files.readString(file)).contains("listeners=PLAINTEXT://127.0.0.1:29092,");
  }

  @Test
  void topicPlanHasEveryTopicAndEveryDeadLetterTopicOnce() {
    var plan = TopicPlan.topics();
    var names = plan.stream().map(TopicPlan.TopicSpec::name).toList();

    assertThat(names).doesNotHaveDuplicates();
    for (Topics t : Topics.values()) {
      assertThat(plan)
          .contains(new TopicPlan.TopicSpec(t.topicName(), t.partitions(), t.topicConfig()));
    }
    for (ConsumingChannel c : ConsumingChannel.values()) {
      assertThat(names).contains(c.deadLetterTopic());
    }
    assertThat(plan).hasSize(Topics.values().length + ConsumingChannel.values().length);
  }

  @Test
  void cleanupPolicyFollowsTheTopicDefinition() {
    var byName =
        TopicPlan.topics().stream()
            .collect(java.util.stream.Collectors.toMap(TopicPlan.TopicSpec::name, s -> s));
    assertThat(byName.get(Topics.WORKFLOW_JOB.topicName()).config())
        .containsEntry("cleanup.policy", "delete");
    assertThat(byName.get(Topics.DELIVERY.topicName()).config())
        .containsEntry("cleanup.policy", "compact,delete")
        .containsEntry("retention.ms", Long.toString(Topics.DELIVERY_RETENTION.toMillis()));
    assertThat(byName.get(ConsumingChannel.POLICY_ADMISSION.deadLetterTopic()).config())
        .containsEntry("cleanup.policy", "delete");
  }

  @Test
  void incompleteBinaryDirectoriesAreRemovedCompleteOnesKept(@TempDir Path bin) throws IOException {
    Path complete = Files.createDirectories(bin.resolve("PG-a/bin"));
    Files.createFile(bin.resolve("PG-a").resolve(PostgresMain.COMPLETE_MARKER));
    Files.createDirectories(bin.resolve("PG-b/lib"));
    Files.writeString(bin.resolve("PG-b/lib/libx.so"), "partial");

    PostgresMain.removeIncompleteBinaries(bin);

    assertThat(complete).exists();
    assertThat(bin.resolve("PG-b")).doesNotExist();
  }
}
