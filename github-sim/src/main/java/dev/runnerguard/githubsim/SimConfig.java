package dev.runnerguard.githubsim;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** Configuration of the simulator ({@code runnerguard.sim.*}, env {@code RUNNERGUARD_SIM_*}). */
@ConfigMapping(prefix = "runnerguard.sim")
public interface SimConfig {

  /** Where {@code workflow_job} deliveries go. */
  @WithDefault("http://127.0.0.1:8080/webhook")
  String webhookUrl();

  /** Per delivery bound (GitHub gives a receiver 10 s). */
  @WithDefault("10s")
  Duration webhookTimeout();

  /** Base URL written into JIT configs and API urls; default: the URL the caller used. */
  Optional<String> baseUrl();

  /** Generate an App key pair at start (or reuse the one in {@link #appKeyFile()}). */
  @WithDefault("true")
  boolean generateApp();

  /** PKCS#8 PEM of the generated App's private key (mode 600). */
  @WithDefault("${RUNNERGUARD_HOME:.}/github-sim/app-private-key.pem")
  String appKeyFile();

  /** App id of the generated App. */
  @WithDefault("1000001")
  long appId();

  /** Organisations the generated App is installed on (one installation each). */
  @WithDefault("octo-org")
  List<String> orgs();

  /** Primary rate limit per installation / App per hour. */
  @WithDefault("5000")
  int rateLimitPerHour();

  /** How long {@code GET /_sim/runner/job} waits for a job before answering 204. */
  @WithDefault("20s")
  Duration runnerPollTimeout();

  /** Port of the loopback listener that plays the exfiltration target (0: any free port). */
  @WithDefault("0")
  int exfilPort();
}
