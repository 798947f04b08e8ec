package dev.runnerguard.orchestrator.kafka;

import dev.runnerguard.orchestrator.spi.Observation;
import dev.runnerguard.orchestrator.spi.ObservationListener;
import dev.runnerguard.schemas.avro.NetworkInfo;
import dev.runnerguard.schemas.avro.ProcessInfo;
import dev.runnerguard.schemas.avro.ProviderEvent;
import dev.runnerguard.schemas.avro.ProviderEventKind;
import dev.runnerguard.schemas.avro.SecuritySignal;
import dev.runnerguard.schemas.avro.Severity;
import dev.runnerguard.schemas.avro.SignalSource;
import dev.runnerguard.schemas.serde.EventMetadataFactory;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * Turns a provider's host-sensor {@link Observation}s into {@code runner.signal} records (for
 * detection) and the runner program's exit into a {@code runner.provider-event} (for the state
 * machine). Called on the sensor's threads; sending is asynchronous.
 */
public final class SignalBridge implements ObservationListener {
  private static final Logger LOG = Logger.getLogger(SignalBridge.class);

  private final PlatformPublisher publisher;
  private final EventMetadataFactory metadata;
  private final String provider;
  private final SignalListener listener;

  /** Observes published signals (metrics). */
  @FunctionalInterface
  public interface SignalListener {
    void published(String kind);
  }

  public SignalBridge(
      PlatformPublisher publisher,
      EventMetadataFactory metadata,
      String provider,
      SignalListener listener) {
    this.publisher = publisher;
    this.metadata = metadata;
    this.provider = provider;
    this.listener = listener;
  }

  @Override
  public void observed(Observation o) {
    if (o == null || o.runnerId() == null) {
      return;
    }
    if (Observation.RUNNER_EXITED.equals(o.kind())) {
      ProviderEvent e =
          ProviderEvent.newBuilder()
              .setMetadata(
                  metadata.create(EventMetadataFactory.correlation(null, null, null, o.runnerId())))
              .setRunnerId(o.runnerId())
              .setKind(ProviderEventKind.EXITED)
              .setProvider(provider)
              .setDetail(
                  "runner program exited"
                      + (o.attributes().containsKey("exitCode")
                          ? " with code " + o.attributes().get("exitCode")
                          : ""))
              .setAttributes(new HashMap<>(o.attributes()))
              .build();
      publisher.providerEvent(e);
      return;
    }
    publisher.signal(toSignal(o));
    listener.published(o.kind());
    LOG.infof("[runner=%s] host sensor: %s %s", o.runnerId(), o.kind(), describe(o));
  }

  SecuritySignal toSignal(Observation o) {
    Map<String, String> attributes = new HashMap<>(o.attributes());
    attributes.put("provider", provider);
    SecuritySignal.Builder b =
        SecuritySignal.newBuilder()
            .setMetadata(
                metadata.create(EventMetadataFactory.correlation(null, null, null, o.runnerId())))
            .setSignalId(signalId(o))
            .setSource(SignalSource.HOST_SENSOR)
            .setKind(o.kind())
            .setObservedAt(o.observedAt())
            .setRunnerId(o.runnerId())
            .setSeverity(severity(o.kind()))
            .setAttributes(attributes);
    if (o.pid() != null || o.commandLine() != null) {
      b.setProcess(
          ProcessInfo.newBuilder().setPid(o.pid()).setCommandLine(o.commandLine()).build());
    }
    if (o.destinationAddress() != null || o.destinationPort() != null) {
      b.setNetwork(
          NetworkInfo.newBuilder()
              .setProtocol(o.protocol())
              .setDestinationAddress(o.destinationAddress())
              .setDestinationPort(o.destinationPort())
              .build());
    }
    return b.build();
  }

  /** Deterministic per act, so a re-sent observation is recognised downstream. */
  static String signalId(Observation o) {
    String basis =
        o.runnerId()
            + "|"
            + o.kind()
            + "|"
            + o.observedAt().toEpochMilli()
            + "|"
            + o.pid()
            + "|"
            + o.destinationAddress()
            + "|"
            + o.destinationPort();
    return "hs-" + UUID.nameUUIDFromBytes(basis.getBytes(StandardCharsets.UTF_8));
  }

  private static Severity severity(String kind) {
    if (Observation.EGRESS_DENIED.equals(kind) || Observation.NESTED_RUNNER.equals(kind)) {
      return Severity.HIGH;
    }
    return Severity.MEDIUM;
  }

  private static String describe(Observation o) {
    if (o.destinationAddress() != null) {
      return "to " + o.destinationAddress() + ":" + o.destinationPort() + "/" + o.protocol();
    }
    if (o.pid() != null) {
      return "pid " + o.pid();
    }
    return o.attributes().toString();
  }
}
