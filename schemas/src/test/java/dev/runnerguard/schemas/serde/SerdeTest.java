package dev.runnerguard.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.runnerguard.schemas.SampleRecords;
import dev.runnerguard.schemas.Topics;
import dev.runnerguard.schemas.avro.WorkflowJobEvent;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

class SerdeTest {

  private static final String TOPIC = Topics.WORKFLOW_JOB.topicName();
  private static final Map<String, Object> BY_NAME =
      Map.of(SerdeConfig.TYPE, WorkflowJobEvent.class.getName());

  @Test
  void registryFreeRoundTripConfiguredByTypeName() {
    try (var serializer = new RunnerGuardAvroSerializer<WorkflowJobEvent>();
        var deserializer = new RunnerGuardAvroDeserializer<WorkflowJobEvent>()) {
      serializer.configure(BY_NAME, false);
      deserializer.configure(BY_NAME, false);
      WorkflowJobEvent event = SampleRecords.workflowJob();

      byte[] bytes = serializer.serialize(TOPIC, new RecordHeaders(), event);

      assertThat(serializer.mode()).isEqualTo(SerdeMode.SINGLE_OBJECT);
      assertThat(deserializer.mode()).isEqualTo(SerdeMode.SINGLE_OBJECT);
      assertThat(deserializer.deserialize(TOPIC, new RecordHeaders(), bytes)).isEqualTo(event);
      assertThat(EventCodec.of(WorkflowJobEvent.class).decode(bytes)).isEqualTo(event);
      assertThat(serializer.serialize(TOPIC, null)).isNull();
    }
  }

  @Test
  void constructedWithTheClassNeedsNoConfiguration() {
    var serializer = new RunnerGuardAvroSerializer<>(WorkflowJobEvent.class);
    var deserializer = new RunnerGuardAvroDeserializer<>(WorkflowJobEvent.class);
    WorkflowJobEvent event = SampleRecords.workflowJob();

    assertThat(deserializer.deserialize(TOPIC, serializer.serialize(TOPIC, event)))
        .isEqualTo(event);
  }

  @Test
  void undecodableValueNamesTheTopic() {
    var deserializer = new RunnerGuardAvroDeserializer<>(WorkflowJobEvent.class);

    assertThatThrownBy(() -> deserializer.deserialize(TOPIC, new byte[] {1, 2, 3}))
        .isInstanceOfSatisfying(
            UndecodableRecordException.class, e -> assertThat(e.topic()).isEqualTo(TOPIC))
        .hasMessageStartingWith("cannot decode record from github.workflow-job: ");
    assertThatThrownBy(() -> deserializer.deserialize(TOPIC, null))
        .isInstanceOf(UndecodableRecordException.class)
        .hasMessageContaining("null value");
  }

  @Test
  void missingOrWrongTypeIsAConfigError() {
    var deserializer = new RunnerGuardAvroDeserializer<WorkflowJobEvent>();

    assertThatThrownBy(() -> deserializer.configure(Map.of(), false))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(SerdeConfig.TYPE);
    assertThatThrownBy(
            () -> deserializer.configure(Map.of(SerdeConfig.TYPE, "java.lang.String"), false))
        .isInstanceOf(ConfigException.class);
    assertThatThrownBy(() -> deserializer.configure(Map.of(SerdeConfig.TYPE, "no.Such"), false))
        .isInstanceOf(ConfigException.class);
  }

  @Test
  void apicurioRegistryUrlSwitchesToApicurio() {
    Map<String, Object> configs =
        Map.of(
            SerdeConfig.TYPE,
            WorkflowJobEvent.class.getName(),
            SerdeConfig.APICURIO_REGISTRY_URL,
            "http://127.0.0.1:9/apis/registry/v3");
    try (var serializer = new RunnerGuardAvroSerializer<WorkflowJobEvent>();
        var deserializer = new RunnerGuardAvroDeserializer<WorkflowJobEvent>()) {
      serializer.configure(configs, false);
      deserializer.configure(configs, false);

      assertThat(serializer.mode()).isEqualTo(SerdeMode.APICURIO);
      assertThat(deserializer.mode()).isEqualTo(SerdeMode.APICURIO);
    }
    assertThat(SerdeConfig.mode(Map.of(SerdeConfig.APICURIO_REGISTRY_URL, " ")))
        .isEqualTo(SerdeMode.SINGLE_OBJECT);
  }
}
