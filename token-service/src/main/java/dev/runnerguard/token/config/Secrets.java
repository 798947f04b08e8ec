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

  /**
   * The same secret under the named App's own settings ({@code runnerguard.token.apps.NAME.key} /
   * {@code .key-file}), which a properties or YAML file can use (the names above cannot be declared
   * in the config mapping); null for other settings.
   */
  public static String appAlias(String setting, String name) {
    if (setting.equals(appKey(name))) {
      return "runnerguard.token.apps." + name + ".key";
    }
    if (setting.equals(appKeyFile(name))) {
      return "runnerguard.token.apps." + name + ".key-file";
    }
    return null;
  }

  /**
   * A source for a named App's key: the env-style setting first, else its alias; a system property
   * under either name counts as given on the command line.
   */
  public static dev.runnerguard.support.SecretSettings.Source appSource(
      java.util.function.Function<String, java.util.Optional<String>> values, String name) {
    return new dev.runnerguard.support.SecretSettings.Source() {
      @Override
      public java.util.Optional<String> value(String setting) {
        java.util.Optional<String> v = values.apply(setting);
        String alias = appAlias(setting, name);
        return v.isPresent() || alias == null ? v : values.apply(alias);
      }

      @Override
      public boolean onCommandLine(String setting) {
        String alias = appAlias(setting, name);
        return System.getProperties().containsKey(setting)
            || (alias != null && System.getProperties().containsKey(alias));
      }
    };
  }

  private Secrets() {}
}
