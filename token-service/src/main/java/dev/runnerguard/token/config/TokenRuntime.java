package dev.runnerguard.token.config;

import dev.runnerguard.schemas.avro.CredentialAction;
import dev.runnerguard.schemas.avro.CredentialType;
import dev.runnerguard.schemas.serde.EventMetadataFactory;
import dev.runnerguard.support.SecretSettings;
import dev.runnerguard.token.app.AppCredentials;
import dev.runnerguard.token.app.PemKeys;
import dev.runnerguard.token.app.ServiceTokenVerifier;
import dev.runnerguard.token.apps.AppRouter;
import dev.runnerguard.token.apps.GitHubApp;
import dev.runnerguard.token.audit.CredentialAudit;
import dev.runnerguard.token.github.Backoff;
import dev.runnerguard.token.github.Budgets;
import dev.runnerguard.token.github.CircuitBreaker;
import dev.runnerguard.token.github.HttpGitHubClient;
import dev.runnerguard.token.github.RateLimitState;
import dev.runnerguard.token.tokens.InstallationTokens;
import dev.runnerguard.token.tokens.TokenOperations;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.net.URI;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
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
  private volatile CircuitBreaker breaker;

  /** Name of the App configured with the single-App settings (app-id, installations.*). */
  public static final String DEFAULT_APP = "default";

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

  /** An App as configured: key loaded, not yet wired. */
  private record AppSpec(
      String name, long appId, String clientId, Map<String, Long> installations, String keyPem) {}

  void start(@Observes StartupEvent event) {
    SecretSettings.Source source =
        SecretSettings.Source.of(name -> raw.getOptionalValue(name, String.class));
    // Refusals (system property, unreadable file) stop the start: a misconfiguration.
    Optional<String> keyPem = SecretSettings.load(source, Secrets.APP_KEY, Secrets.APP_KEY_FILE);
    Optional<String> internal =
        SecretSettings.load(source, Secrets.INTERNAL_SECRET, Secrets.INTERNAL_SECRET_FILE);
    List<AppSpec> specs = new ArrayList<>();
    List<String> missing = new ArrayList<>();
    if (keyPem.isPresent() || config.appId().isPresent() || config.apps().isEmpty()) {
      if (keyPem.isPresent() && config.appId().isPresent()) {
        specs.add(
            new AppSpec(
                DEFAULT_APP,
                config.appId().get(),
                config.clientId().orElse(null),
                config.installations(),
                keyPem.get()));
      } else {
        missing.add(
            SecretSettings.envName(Secrets.APP_KEY_FILE)
                + " (or "
                + SecretSettings.envName(Secrets.APP_KEY)
                + ") and runnerguard.token.app-id");
      }
    }
    for (Map.Entry<String, TokenConfig.NamedApp> e : new TreeMap<>(config.apps()).entrySet()) {
      String name = e.getKey();
      if (!Secrets.APP_NAME.matcher(name).matches() || name.equals(DEFAULT_APP)) {
        throw new IllegalStateException(
            "runnerguard.token.apps."
                + name
                + ": an App name is lower-case letters and digits in words joined by '-', and"
                + " not '"
                + DEFAULT_APP
                + "'");
      }
      Optional<String> key =
          SecretSettings.load(
              Secrets.appSource(n -> raw.getOptionalValue(n, String.class), name),
              Secrets.appKey(name),
              Secrets.appKeyFile(name));
      if (key.isEmpty()) {
        missing.add(
            SecretSettings.envName(Secrets.appKeyFile(name))
                + " (or "
                + SecretSettings.envName(Secrets.appKey(name))
                + ") for App "
                + name);
        continue;
      }
      specs.add(
          new AppSpec(
              name,
              e.getValue().appId(),
              e.getValue().clientId().orElse(null),
              e.getValue().installations(),
              key.get()));
    }
    Set<Long> ids = new HashSet<>();
    for (AppSpec a : specs) {
      if (!ids.add(a.appId())) {
        throw new IllegalStateException(
            "GitHub App id " + a.appId() + " is configured twice (App " + a.name() + ")");
      }
    }
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
    if (!missing.isEmpty()) {
      notReady = "no GitHub App credentials: set " + String.join("; ", missing);
      LOG.warn(notReady + "; the internal API answers 503");
      return;
    }
    audit =
        new CredentialAudit(
            CredentialAudit.producer(bootstrapServers),
            config.auditTopic(),
            new EventMetadataFactory("token-service", version));
    URI base = URI.create(config.githubUrl());
    breaker =
        new CircuitBreaker(
            config.circuit().failureThreshold(),
            config.circuit().cooldown(),
            Clock.systemUTC(),
            (from, to, why) -> {
              if (to == CircuitBreaker.State.OPEN) {
                LOG.warnf("GitHub at %s: circuit %s -> %s (%s)", base, from, to, why);
              } else {
                LOG.infof("GitHub at %s: circuit %s -> %s (%s)", base, from, to, why);
              }
            });
    CircuitBreaker b = breaker;
    Gauge.builder("runnerguard.token.github.circuit_state", b, c -> c.state().gauge())
        .description("Circuit breaker towards GitHub: 0 closed, 1 open, 2 half-open")
        .tag("base_url", config.githubUrl())
        .register(registry);
    HttpGitHubClient.Shared shared = HttpGitHubClient.Shared.create(config.maxConcurrency(), b);
    Budgets.Settings budgets =
        new Budgets.Settings(
            config.budget().contentPerMinute(),
            config.budget().contentPerHour(),
            config.budget().pointsPerMinute());
    List<GitHubApp> apps = new ArrayList<>();
    for (AppSpec spec : specs) {
      apps.add(app(spec, base, shared, budgets));
    }
    AppRouter router =
        new AppRouter(
            apps,
            new AppRouter.Settings(
                config.maxRateLimitWait(), config.budget().maxWait(), config.maxAttempts()),
            Clock.systemUTC(),
            HttpGitHubClient.Sleeper.THREAD,
            registry);
    operations = new TokenOperations(router, audit);
    notReady = null;
    for (GitHubApp a : apps) {
      LOG.infof(
          "GitHub App %s (id %d) at %s, installed on %s",
          a.name(), a.appId(), config.githubUrl(), new TreeMap<>(a.installations()).keySet());
    }
  }

  private GitHubApp app(
      AppSpec spec, URI base, HttpGitHubClient.Shared shared, Budgets.Settings budgets) {
    AppCredentials app =
        new AppCredentials(spec.appId(), spec.clientId(), PemKeys.parsePrivateKey(spec.keyPem()));
    RateLimitState rate = new RateLimitState();
    HttpGitHubClient github =
        new HttpGitHubClient(
            new HttpGitHubClient.Settings(
                base, config.maxAttempts(), config.requestTimeout(), app.appId()),
            new Backoff(
                config.backoffBase(),
                config.backoffMax(),
                () -> ThreadLocalRandom.current().nextDouble()),
            registry,
            Clock.systemUTC(),
            HttpGitHubClient.Sleeper.THREAD,
            shared,
            rate);
    CredentialAudit a = audit;
    InstallationTokens tokens =
        new InstallationTokens(
            github,
            app,
            Clock.systemUTC(),
            config.tokenRefreshMargin(),
            t -> {
              LOG.infof(
                  "installation token for installation %d of GitHub App %d refreshed, expires %s",
                  t.installationId(), app.appId(), t.expiresAt());
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
    return new GitHubApp(
        spec.name(),
        app.appId(),
        github,
        tokens,
        spec.installations(),
        rate,
        new Budgets(budgets, Clock.systemUTC()));
  }

  void stop(@Observes ShutdownEvent event) {
    // Our meters hold state of this start (rate limits, circuit); a registry that outlives the
    // application (tests restart Quarkus in one JVM) must not keep serving them.
    for (var m : List.copyOf(registry.getMeters())) {
      if (m.getId().getName().startsWith("runnerguard.token.")) {
        registry.remove(m);
      }
    }
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

  /** The circuit breaker towards GitHub, null until configured. */
  public CircuitBreaker breaker() {
    return breaker;
  }

  public String githubUrl() {
    return config.githubUrl();
  }

  public ServiceTokenVerifier verifier() {
    return verifier;
  }
}
