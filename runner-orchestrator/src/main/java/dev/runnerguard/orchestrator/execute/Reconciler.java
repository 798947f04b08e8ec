package dev.runnerguard.orchestrator.execute;

import dev.runnerguard.orchestrator.kafka.PlatformPublisher;
import dev.runnerguard.orchestrator.spi.CredentialsClient;
import dev.runnerguard.orchestrator.spi.ProviderRunner;
import dev.runnerguard.orchestrator.spi.RunnerProvider;
import dev.runnerguard.orchestrator.state.RunnerNames;
import dev.runnerguard.schemas.avro.ProviderEvent;
import dev.runnerguard.schemas.avro.ProviderEventKind;
import dev.runnerguard.schemas.serde.EventMetadataFactory;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * The outer half of reconciliation: lists what really exists (every provider's runners, and the
 * platform-named runners registered at GitHub for the configured organisations) and reports each
 * one as an {@code INVENTORY} provider event keyed by runner id. The runner's owner (whichever
 * instance holds its partition) compares it with its state: unknown means orphan and is destroyed;
 * a runner that should be gone is destroyed again. The inner half (lost runners, jobs whose
 * completed webhook never came, max duration, provisioning retries) is the state machine's tick.
 */
public final class Reconciler {
  private static final Logger LOG = Logger.getLogger(Reconciler.class);

  private final ProviderRegistry providers;
  private final CredentialsClient github;
  private final List<String> orgs;
  private final PlatformPublisher publisher;
  private final EventMetadataFactory metadata;

  public Reconciler(
      ProviderRegistry providers,
      CredentialsClient github,
      List<String> orgs,
      PlatformPublisher publisher,
      EventMetadataFactory metadata) {
    this.providers = providers;
    this.github = github;
    this.orgs = List.copyOf(orgs);
    this.publisher = publisher;
    this.metadata = metadata;
  }

  /** One pass; returns how many inventory events were sent. */
  public int reconcileOnce() {
    int sent = 0;
    for (RunnerProvider provider : providers.all()) {
      try {
        for (ProviderRunner r : provider.list()) {
          if (!RunnerNames.isPlatformName(r.runnerId())) {
            continue;
          }
          sent +=
              inventory(
                  r.runnerId(),
                  provider.name(),
                  Map.of("source", "provider", "providerStatus", r.status().name()));
        }
      } catch (Exception e) {
        LOG.warnf("[reconcile] listing %s failed: %s", provider.name(), e.getMessage());
      }
    }
    for (String org : orgs) {
      try {
        for (CredentialsClient.RegisteredRunner r : github.listRunners(org)) {
          if (!RunnerNames.isPlatformName(r.name())) {
            continue;
          }
          Map<String, String> attributes = new HashMap<>();
          attributes.put("source", "github");
          attributes.put("githubRunnerId", Long.toString(r.id()));
          attributes.put("org", org);
          attributes.put("githubStatus", r.status());
          sent += inventory(r.name(), "github", attributes);
        }
      } catch (CredentialsClient.CredentialsException e) {
        LOG.warnf("[reconcile] listing GitHub runners of %s failed: %s", org, e.getMessage());
      }
    }
    return sent;
  }

  private int inventory(String runnerId, String provider, Map<String, String> attributes) {
    publisher.providerEvent(
        ProviderEvent.newBuilder()
            .setMetadata(
                metadata.create(EventMetadataFactory.correlation(null, null, null, runnerId)))
            .setRunnerId(runnerId)
            .setKind(ProviderEventKind.INVENTORY)
            .setProvider(provider)
            .setAttributes(new HashMap<>(attributes))
            .build());
    return 1;
  }
}
