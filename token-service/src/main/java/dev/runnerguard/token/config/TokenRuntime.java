package dev.runnerguard.token.config;

import dev.runnerguard.schemas.avro.CredentialAction;
import dev.runnerguard.schemas.avro.CredentialType;
import dev.runnerguard.schemas.serde.EventMetadataFactory;
import dev.runnerguard.support.SecretSettings;
import dev.runnerguard.token.app.AppCredentials;
import dev.runnerguard.token.app.PemKeys;
import dev.runnerguard.token.app.ServiceTokenVerifier;
import dev.runnerguard.token.audit.CredentialAudit;
import dev.runnerguard.token.github.Backoff;
import dev.runnerguard.token.github.HttpGitHubClient;
import dev.runnerguard.token.tokens.InstallationTokens;
import dev.runnerguard.token.tokens.TokenOperations;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.net.URI;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Wires the service at start: the only place that knows configuration, secrets, Kafka and CDI.
 * Without an App key or internal secret the service starts, readiness is DOWN with the reason and
 * the internal API answers 503. A secret given as a system property stops the start.
 */
@Singleton
public class TokenRuntime {
  private static final Logger LOG = Logger.getLogger(TokenRuntime.class);

  private final TokenConfig config;
  private final Config raw;
  private final MeterRegistry registry;
  private final String bootstrapServers;
  private final String version;

  private volatile TokenOperations operations;
  private volatile ServiceTokenVerifier verifier;
  private volatile CredentialAudit audit;
  private volatile String notReady = "not started";

  public TokenRuntime(
      TokenConfig config,
      Config raw,
      MeterRegistry registry,
      @ConfigProperty(name = "kafka.bootstrap.servers") String bootstrapServers,
      @ConfigProperty(name = "quarkus.application.version", defaultValue = "dev") String version) {
    this.config = config;
    this.raw = raw;
    this.registry = registry;
    this.bootstrapServers = bootstrapServers;
    this.version = version;
  }

  void start(@Observes StartupEvent event) {
    SecretSettings.Source source =
        SecretSettings.Source.of(name -> raw.getOptionalValue(name, String.class));
    // Refusals (system property, unreadable file) stop the start: a misconfiguration.
    Optional<String> keyPem = SecretSettings.load(source, Secrets.APP_KEY, Secrets.APP_KEY_FILE);
    Optional<String> internal =
        SecretSettings.load(source, Secrets.INTERNAL_SECRET, Secrets.INTERNAL_SECRET_FILE);
    if (internal.isEmpty()) {
      notReady =
          "no internal service secret: set "
              + SecretSettings.envName(Secrets.INTERNAL_SECRET)
              + " or "
              + SecretSettings.envName(Secrets.INTERNAL_SECRET_FILE);
      LOG.warn(notReady + "; the internal API answers 503");
      return;
    }
    verifier = new ServiceTokenVerifier(internal.get());
    if (keyPem.isEmpty() || config.appId().isEmpty()) {
      notReady =
          "no GitHub App credentials: set "
              + SecretSettings.envName(Secrets.APP_KEY_FILE)
              + " (or "
              + SecretSettings.envName(Secrets.APP_KEY)
              + ") and runnerguard.token.app-id";
      LOG.warn(notReady + "; the internal API answers 503");
      return;
    }
    AppCredentials app =
        new AppCredentials(
            config.appId().get(),
            config.clientId().orElse(null),
            PemKeys.parsePrivateKey(keyPem.get()));
    audit =
        new CredentialAudit(
            CredentialAudit.producer(bootstrapServers),
            config.auditTopic(),
            new EventMetadataFactory("token-service", version));
    HttpGitHubClient github =
        new HttpGitHubClient(
            new HttpGitHubClient.Settings(
                URI.create(config.githubUrl()),
                config.maxConcurrency(),
                config.maxAttempts(),
                config.maxRateLimitWait(),
                config.requestTimeout(),
                app.appId()),
            new Backoff(
                config.backoffBase(),
                config.backoffMax(),
                () -> ThreadLocalRandom.current().nextDouble()),
            registry,
            Clock.systemUTC(),
            d -> Thread.sleep(d.toMillis()));
    CredentialAudit a = audit;
    InstallationTokens tokens =
        new InstallationTokens(
            github,
            app,
            Clock.systemUTC(),
            config.tokenRefreshMargin(),
            t -> {
              LOG.infof(
                  "installation token for installation %d refreshed, expires %s",
                  t.installationId(), t.expiresAt());
              a.publish(
                  Long.toString(t.installationId()),
                  a.event(
                      CredentialAction.INSTALLATION_TOKEN_MINTED,
                      CredentialType.INSTALLATION_TOKEN,
                      CredentialAudit.credentialRef(t.secret()),
                      app.appId(),
                      t.installationId(),
                      null,
                      null,
                      null,
                      null,
                      t.expiresAt(),
                      t.permissions(),
                      null));
            });
    operations = new TokenOperations(github, tokens, config.installations(), app.appId(), audit);
    notReady = null;
    LOG.infof(
        "GitHub App %d (issuer %s) at %s, %d installation(s) configured",
        app.appId(), app.issuer(), config.githubUrl(), config.installations().size());
  }

  void stop(@Observes ShutdownEvent event) {
    if (audit != null) {
      audit.close();
    }
  }

  /** Null when ready, else why not (safe to show). */
  public String notReady() {
    return notReady;
  }

  public TokenOperations operations() {
    return operations;
  }

  public ServiceTokenVerifier verifier() {
    return verifier;
  }
}
