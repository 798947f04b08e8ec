package dev.runnerguard.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class TopicsTest {

  @Test
  void topicNamesAreUniqueAndValid() {
    assertThat(Topics.names()).doesNotHaveDuplicates().allMatch(n -> n.matches("[a-z0-9.-]+"));
    assertThat(Topics.byName("runner.lifecycle")).contains(Topics.RUNNER_LIFECYCLE);
    assertThat(Topics.byName("nope")).isEmpty();
    assertThat(Topics.values()).allMatch(t -> t.partitions() > 0);
  }

  @Test
  void deadLetterTopicsAreUniqueAndNamedAfterTheirTopic() {
    List<String> dlts =
        Arrays.stream(ConsumingChannel.values()).map(ConsumingChannel::deadLetterTopic).toList();

    assertThat(dlts).doesNotHaveDuplicates().doesNotContainAnyElementsOf(Topics.names());
    assertThat(ConsumingChannel.POLICY_ADMISSION.deadLetterTopic())
        .isEqualTo("github.workflow-job.dlt.policy-admission");
  }

  @ParameterizedTest
  @NullAndEmptySource
  @ValueSource(strings = {"Policy", "a b", "-x", "x.y", "x/y", "ä"})
  void deadLetterNamingRejectsBadChannelNames(String channel) {
    assertThatThrownBy(() -> Topics.WORKFLOW_JOB.deadLetterTopic(channel))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void everyAvroTopicHasOneRecordTypeStartingWithMetadata() {
    assertThat(Schemas.recordClasses()).doesNotHaveDuplicates();
    Schemas.valueTypes()
        .forEach(
            (topic, type) ->
                assertThat(Schemas.currentSchema(type).getDoc())
                    .as("the doc of %s names its topic", type.getSimpleName())
                    .contains(topic.topicName()));
    assertThat(Schemas.valueType(Topics.FALCO_EVENTS)).isEmpty();
    assertThat(Schemas.valueType(Topics.WORKFLOW_JOB)).isPresent();
    for (var type : Schemas.valueTypes().values()) {
      Schema schema = Schemas.currentSchema(type);
      assertThat(schema.getNamespace()).isEqualTo("dev.runnerguard.schemas.avro");
      assertThat(schema.getFields().get(0).name()).isEqualTo("metadata");
      assertThat(schema.getFields().get(0).schema().getFullName())
          .isEqualTo("dev.runnerguard.schemas.avro.EventMetadata");
    }
  }

  @Test
  void everyEnumHasADefaultSymbol() {
    Set<String> seen = new HashSet<>();
    for (var type : Schemas.recordClasses()) {
      enums(Schemas.currentSchema(type), seen);
    }
    assertThat(seen).contains("dev.runnerguard.schemas.avro.RunnerState");
  }

  private static void enums(Schema s, Set<String> seen) {
    switch (s.getType()) {
      case ENUM -> {
        assertThat(s.getEnumDefault()).as("default of enum %s", s.getFullName()).isNotNull();
        seen.add(s.getFullName());
      }
      case RECORD -> {
        if (seen.add(s.getFullName())) {
          s.getFields().forEach(f -> enums(f.schema(), seen));
        }
      }
      case UNION -> s.getTypes().forEach(t -> enums(t, seen));
      case ARRAY -> enums(s.getElementType(), seen);
      case MAP -> enums(s.getValueType(), seen);
      default -> {}
    }
  }
}
