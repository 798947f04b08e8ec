package dev.runnerguard.token.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * Settings of the token-service. Secrets (App private key, internal service secret) are read by
 * {@link Secrets} (env or file, -D refused), never through this mapping.
 */
@ConfigMapping(prefix = "runnerguard.token")
public interface TokenConfig {
  /** GitHub REST base URL (GitHub Enterprise Server: https://HOST/api/v3; github-sim). */
  @WithDefault("https://api.github.com")
  String githubUrl();

  /** GitHub App id (numeric). */
  Optional<Long> appId();

  /** GitHub App client id (preferred JWT issuer when set). */
  Optional<String> clientId();

  /** Installation id per organisation: runnerguard.token.installations.ORG=ID. */
  Map<String, Long> installations();

  /**
   * Named Apps, in addition to the single App above: runnerguard.token.apps.NAME.app-id,
   * .client-id, .installations.ORG; key from env RUNNERGUARD_TOKEN_APP_KEY_NAME or
   * RUNNERGUARD_TOKEN_APP_KEY_NAME_FILE ({@link Secrets#appKey(String)}).
   */
  Map<String, NamedApp> apps();

  /** One named GitHub App. */
  interface NamedApp {
    /** GitHub App id (numeric). */
    long appId();

    /** App client id (preferred JWT issuer when set). */
    Optional<String> clientId();

    /** Installation id per organisation. */
    Map<String, Long> installations();

    /**
     * Path of the key PEM, the same as env RUNNERGUARD_TOKEN_APP_KEY_NAME_FILE (read by {@link
     * Secrets}; set one of the two).
     */
    Optional<String> keyFile();

    /**
     * Declared only so the mapping knows the name: the key is read (and a -D refused) by {@link
     * Secrets}; never call this.
     */
    @Deprecated
    Optional<String> key();
  }

  /** The circuit breaker per GitHub base URL. */
  Circuit circuit();

  /** Circuit breaker settings. */
  interface Circuit {
    /** Consecutive retriable failures (5xx, I/O; counted per HTTP attempt) that open it. */
    @WithDefault("8")
    int failureThreshold();

    /** How long it stays open before one trial call. */
    @WithDefault("30s")
    Duration cooldown();
  }

  /** Secondary-rate-limit budgets per App. */
  Budget budget();

  /** Budget settings (GitHub documents 80 content requests/min, 500/h, 900 points/min/endpoint). */
  interface Budget {
    /** Content-creating calls (JIT mint, delete runner, cancel, force-cancel) per minute. */
    @WithDefault("80")
    int contentPerMinute();

    /** Content-creating calls per hour (0: no hourly budget). */
    @WithDefault("500")
    int contentPerHour();

    /** Points per endpoint per minute (GET 1, POST/DELETE 5). */
    @WithDefault("900")
    int pointsPerMinute();

    /** Longest a call waits for budget; beyond it the call gets 429 at once. */
    @WithDefault("5s")
    Duration maxWait();
  }

  /** Concurrent outgoing GitHub calls. */
  @WithDefault("20")
  int maxConcurrency();

  /** Attempts per GitHub call (first included). */
  @WithDefault("4")
  int maxAttempts();

  /** First backoff step for 5xx / I/O errors. */
  @WithDefault("200ms")
  Duration backoffBase();

  /** Upper bound of one backoff step. */
  @WithDefault("5s")
  Duration backoffMax();

  /** Longest wait honoured for retry-after / x-ratelimit-reset before giving up. */
  @WithDefault("60s")
  Duration maxRateLimitWait();

  /** Installation tokens are refreshed this long before they expire. */
  @WithDefault("5m")
  Duration tokenRefreshMargin();

  /** Per-request timeout towards GitHub. */
  @WithDefault("15s")
  Duration requestTimeout();

  /**
   * Declared only so the mapping knows the name: the key is read (and a -D refused) by {@link
   * Secrets}; never call this.
   */
  @Deprecated
  Optional<String> appKey();

  /** Path of the App private key PEM (read by {@link Secrets}). */
  Optional<String> appKeyFile();

  /** Kafka topic of the audit events. */
  @WithDefault("credential.audit")
  String auditTopic();
}
