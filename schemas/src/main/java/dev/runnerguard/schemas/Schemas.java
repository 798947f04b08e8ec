package dev.runnerguard.schemas;

import dev.runnerguard.schemas.avro.AdmissionDecision;
import dev.runnerguard.schemas.avro.CredentialAuditEvent;
import dev.runnerguard.schemas.avro.DeliveryReceipt;
import dev.runnerguard.schemas.avro.Finding;
import dev.runnerguard.schemas.avro.GitHubWebhookEvent;
import dev.runnerguard.schemas.avro.ProviderEvent;
import dev.runnerguard.schemas.avro.RunnerCommand;
import dev.runnerguard.schemas.avro.RunnerInput;
import dev.runnerguard.schemas.avro.RunnerLifecycleEvent;
import dev.runnerguard.schemas.avro.RunnerRecord;
import dev.runnerguard.schemas.avro.SecuritySignal;
import dev.runnerguard.schemas.avro.WorkflowJobEvent;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;

/**
 * The Avro value type of every topic that carries Avro, and access to the released versions of each
 * record schema on the classpath ({@value #RELEASED_ROOT}).
 *
 * <p>{@link Topics#FALCO_EVENTS} and {@link Topics#AUDIT_OCSF} carry JSON and have no Avro type.
 */
public final class Schemas {

  /** Classpath folder of released schemas: {@code released/<RecordName>/vN.avsc}. */
  public static final String RELEASED_ROOT = "released";

  private static final Map<Topics, Class<? extends SpecificRecord>> VALUE_TYPES;

  static {
    Map<Topics, Class<? extends SpecificRecord>> m = new EnumMap<>(Topics.class);
    m.put(Topics.WORKFLOW_JOB, WorkflowJobEvent.class);
    m.put(Topics.WORKFLOW_RUN, GitHubWebhookEvent.class);
    m.put(Topics.INSTALLATION, GitHubWebhookEvent.class);
    m.put(Topics.DELIVERY, DeliveryReceipt.class);
    m.put(Topics.RUNNER_ADMISSION, AdmissionDecision.class);
    m.put(Topics.RUNNER_LIFECYCLE, RunnerLifecycleEvent.class);
    m.put(Topics.RUNNER_SIGNAL, SecuritySignal.class);
    m.put(Topics.RUNNER_FINDING, Finding.class);
    m.put(Topics.RUNNER_COMMAND, RunnerCommand.class);
    m.put(Topics.CREDENTIAL_AUDIT, CredentialAuditEvent.class);
    m.put(Topics.RUNNER_PROVIDER_EVENT, ProviderEvent.class);
    VALUE_TYPES = Collections.unmodifiableMap(m);
  }

  private Schemas() {}

  /** Every topic with an Avro value type, and that type. */
  public static Map<Topics, Class<? extends SpecificRecord>> valueTypes() {
    return VALUE_TYPES;
  }

  /** The Avro value type of a topic, empty for topics that carry JSON or no Avro type yet. */
  public static Optional<Class<? extends SpecificRecord>> valueType(Topics topic) {
    return Optional.ofNullable(VALUE_TYPES.get(topic));
  }

  /** Every top-level record class, in topic order, each once (a type may serve several topics). */
  public static List<Class<? extends SpecificRecord>> recordClasses() {
    return java.util.stream.Stream.concat(VALUE_TYPES.values().stream(), INTERNAL_TYPES.stream())
        .distinct()
        .toList();
  }

  /**
   * Durable records that are not a platform topic's value: the runner-orchestrator's state store
   * (changelog) and its repartition topic. They are released and checked like topic values.
   */
  private static final List<Class<? extends SpecificRecord>> INTERNAL_TYPES =
      List.of(RunnerRecord.class, RunnerInput.class);

  /** The current schema of a generated record class. */
  public static Schema currentSchema(Class<? extends SpecificRecord> type) {
    return SpecificData.get().getSchema(type);
  }

  /**
   * The released versions of a record on the classpath, oldest first. Versions are numbered from 1
   * without gaps; the first missing number ends the list.
   */
  public static List<ReleasedSchema> released(Class<? extends SpecificRecord> type) {
    return released(type.getSimpleName(), Schemas.class.getClassLoader());
  }

  /** The released versions of the record with this simple name, read with a class loader. */
  public static List<ReleasedSchema> released(String recordName, ClassLoader loader) {
    List<ReleasedSchema> versions = new ArrayList<>();
    for (int v = 1; ; v++) {
      String location = RELEASED_ROOT + "/" + ReleasedSchema.relativePath(recordName, v);
      try (InputStream in = loader.getResourceAsStream(location)) {
        if (in == null) {
          return List.copyOf(versions);
        }
        versions.add(new ReleasedSchema(recordName, v, location, new Schema.Parser().parse(in)));
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read released schema " + location, e);
      }
    }
  }
}
