package dev.runnerguard.token.spi;

import java.time.Instant;
import java.util.Map;

/** An installation access token. A secret: toString never prints it. */
public final class InstallationToken {
  private final long installationId;
  private final String token;
  private final Instant expiresAt;
  private final Map<String, String> permissions;

  public InstallationToken(
      long installationId, String token, Instant expiresAt, Map<String, String> permissions) {
    this.installationId = installationId;
    this.token = token;
    this.expiresAt = expiresAt;
    this.permissions = Map.copyOf(permissions);
  }

  public long installationId() {
    return installationId;
  }

  /** The secret value: only for the Authorization header. */
  public String secret() {
    return token;
  }

  public Instant expiresAt() {
    return expiresAt;
  }

  public Map<String, String> permissions() {
    return permissions;
  }

  @Override
  public String toString() {
    return "InstallationToken[installation="
        + installationId
        + ", expiresAt="
        + expiresAt
        + ", token=<redacted>]";
  }
}
