package dev.runnerguard.token.config;

/**
 * The token-service's secret settings, read with {@link dev.runnerguard.support.SecretSettings}
 * (environment variable or file; refused as a JVM system property).
 */
public final class Secrets {
  /** App private key PEM: env RUNNERGUARD_TOKEN_APP_KEY / RUNNERGUARD_TOKEN_APP_KEY_FILE. */
  public static final String APP_KEY = "runnerguard.token.app-key";

  public static final String APP_KEY_FILE = "runnerguard.token.app-key-file";

  /** Internal service-token secret: env RUNNERGUARD_INTERNAL_SECRET / _FILE. */
  public static final String INTERNAL_SECRET = "runnerguard.internal.secret";

  public static final String INTERNAL_SECRET_FILE = "runnerguard.internal.secret-file";

  /** Names of a named App ([a-z0-9] words joined by '-'). */
  public static final java.util.regex.Pattern APP_NAME =
      java.util.regex.Pattern.compile("[a-z0-9]+(-[a-z0-9]+)*");

  /** Key PEM of the named App NAME: env RUNNERGUARD_TOKEN_APP_KEY_NAME. */
  public static String appKey(String name) {
    return APP_KEY + "-" + name;
  }

  /** Key PEM file of the named App NAME: env RUNNERGUARD_TOKEN_APP_KEY_NAME_FILE. */
  public static String appKeyFile(String name) {
    return APP_KEY + "-" + name + "-file";
  }

  private Secrets() {}
}
