package dev.runnerguard.policy.intake;

import dev.runnerguard.policy.admission.AdmissionService;
import dev.runnerguard.schemas.avro.WorkflowJobEvent;
import dev.runnerguard.schemas.serde.EventCodec;
import dev.runnerguard.schemas.serde.UndecodableRecordException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.reactive.messaging.annotations.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * Reads {@code github.workflow-job} on the {@code policy-admission} channel and decodes each record
 * through the schemas serde. A record that cannot be decoded is a poison record: the method throws
 * {@link UndecodableRecordException} (which names topic, partition and offset), SmallRye nacks it,
 * the channel's {@code dead-letter-queue} failure strategy writes it to {@code
 * github.workflow-job.dlt.policy-admission}, and consumption goes on.
 *
 * <p>Each decoded job goes to {@link AdmissionService} (which decides queued jobs once per run
 * attempt and produces the decision to {@code runner.admission}).
 */
@ApplicationScoped
public class WorkflowJobIntake {
  private static final Logger LOG = Logger.getLogger(WorkflowJobIntake.class);

  private final EventCodec<WorkflowJobEvent> codec = EventCodec.of(WorkflowJobEvent.class);
  private final MeterRegistry registry;
  private final Counter undecodable;
  private final AdmissionService admission;

  public WorkflowJobIntake(MeterRegistry registry, AdmissionService admission) {
    this.registry = registry;
    this.admission = admission;
    this.undecodable =
        Counter.builder("runnerguard.policy.workflow.jobs.undecodable")
            .description("workflow-job records that could not be decoded and were dead-lettered")
            .register(registry);
  }

  @Incoming("policy-admission")
  @Blocking("policy-admission")
  public void onRecord(ConsumerRecord<String, byte[]> record) {
    WorkflowJobEvent event;
    try {
      event = decode(record);
    } catch (UndecodableRecordException e) {
      undecodable.increment();
      LOG.warnf("dead-lettering poison record: %s", e.getMessage());
      throw e;
    }
    registry.counter("runnerguard.policy.workflow.jobs", "action", event.getAction()).increment();
    LOG.debugf(
        "job %d (%s) action=%s delivery=%s",
        event.getJobId(),
        event.getRepositoryFullName(),
        event.getAction(),
        event.getMetadata().getCorrelation().getDeliveryId());
    admission.onJob(event);
  }

  /** Decodes one record of the channel; throws a typed error naming where the record sits. */
  public WorkflowJobEvent decode(ConsumerRecord<String, byte[]> record) {
    return codec.decode(record.topic(), record.partition(), record.offset(), record.value());
  }
}
