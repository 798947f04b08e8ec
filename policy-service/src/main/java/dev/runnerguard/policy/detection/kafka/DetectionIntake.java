package dev.runnerguard.policy.detection.kafka;

import dev.runnerguard.policy.detection.falco.FalcoEvent;
import dev.runnerguard.policy.detection.falco.FalcoParseException;
import dev.runnerguard.policy.detection.falco.FalcoParser;
import dev.runnerguard.schemas.avro.RunnerLifecycleEvent;
import dev.runnerguard.schemas.avro.SecuritySignal;
import dev.runnerguard.schemas.avro.WorkflowJobEvent;
import dev.runnerguard.schemas.serde.EventCodec;
import dev.runnerguard.schemas.serde.UndecodableRecordException;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.reactive.messaging.annotations.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * The four detection channels (declared in {@code schemas.ConsumingChannel}): {@code
 * detection-signal} ({@code runner.signal}), {@code detection-workflow-job} ({@code
 * github.workflow-job}), {@code detection-lifecycle} ({@code runner.lifecycle}) and {@code
 * detection-falco} ({@code falco.events}, falcosidekick JSON). Each has its consumer group, worker
 * pool (one record at a time) and dead-letter topic {@code <topic>.dlt.<channel>}: a record that
 * cannot be decoded or parsed is thrown back, SmallRye writes it there and consumption goes on.
 *
 * <p>Metrics: {@code runnerguard_policy_detection_inputs_total{channel}}, {@code
 * runnerguard_policy_detection_dead_lettered_total{channel}}.
 */
@ApplicationScoped
public class DetectionIntake {
  private static final Logger LOG = Logger.getLogger(DetectionIntake.class);

  private final EventCodec<SecuritySignal> signals = EventCodec.of(SecuritySignal.class);
  private final EventCodec<WorkflowJobEvent> jobs = EventCodec.of(WorkflowJobEvent.class);
  private final EventCodec<RunnerLifecycleEvent> lifecycle =
      EventCodec.of(RunnerLifecycleEvent.class);
  private final DetectionService detection;
  private final MeterRegistry registry;

  public DetectionIntake(DetectionService detection, MeterRegistry registry) {
    this.detection = detection;
    this.registry = registry;
  }

  @Incoming("detection-signal")
  @Blocking("detection-signal")
  public void onSignal(ConsumerRecord<String, byte[]> r) {
    SecuritySignal s =
        decode(
            "detection-signal",
            () -> signals.decode(r.topic(), r.partition(), r.offset(), r.value()));
    counted("detection-signal");
    detection.onSignal(s);
  }

  @Incoming("detection-workflow-job")
  @Blocking("detection-workflow-job")
  public void onWorkflowJob(ConsumerRecord<String, byte[]> r) {
    WorkflowJobEvent e =
        decode(
            "detection-workflow-job",
            () -> jobs.decode(r.topic(), r.partition(), r.offset(), r.value()));
    counted("detection-workflow-job");
    detection.onWorkflowJob(e);
  }

  @Incoming("detection-lifecycle")
  @Blocking("detection-lifecycle")
  public void onLifecycle(ConsumerRecord<String, byte[]> r) {
    RunnerLifecycleEvent e =
        decode(
            "detection-lifecycle",
            () -> lifecycle.decode(r.topic(), r.partition(), r.offset(), r.value()));
    counted("detection-lifecycle");
    detection.onLifecycle(e);
  }

  @Incoming("detection-falco")
  @Blocking("detection-falco")
  public void onFalco(ConsumerRecord<String, byte[]> r) {
    FalcoEvent e;
    try {
      e = FalcoParser.parse(r.value());
    } catch (FalcoParseException ex) {
      String where = r.topic() + "-" + r.partition() + "@" + r.offset();
      registry
          .counter("runnerguard.policy.detection.dead.lettered", "channel", "detection-falco")
          .increment();
      LOG.warnf("dead-lettering malformed Falco event %s: %s", where, ex.getMessage());
      throw new FalcoParseException(where + ": " + ex.getMessage());
    }
    counted("detection-falco");
    detection.onFalco(e);
  }

  private <T> T decode(String channel, java.util.function.Supplier<T> decoder) {
    try {
      return decoder.get();
    } catch (UndecodableRecordException e) {
      registry
          .counter("runnerguard.policy.detection.dead.lettered", "channel", channel)
          .increment();
      LOG.warnf("dead-lettering poison record on %s: %s", channel, e.getMessage());
      throw e;
    }
  }

  private void counted(String channel) {
    registry.counter("runnerguard.policy.detection.inputs", "channel", channel).increment();
  }
}
