package dev.runnerguard.token.spi;

/** A minted JIT runner configuration. A secret: toString never prints it. */
public final class JitConfig {
  private final long runnerId;
  private final String runnerName;
  private final String encoded;

  public JitConfig(long runnerId, String runnerName, String encoded) {
    this.runnerId = runnerId;
    this.runnerName = runnerName;
    this.encoded = encoded;
  }

  public long runnerId() {
    return runnerId;
  }

  public String runnerName() {
    return runnerName;
  }

  /** The secret encoded JIT config: leaves the service only in the 201 answer of /jit. */
  public String encoded() {
    return encoded;
  }

  @Override
  public String toString() {
    return "JitConfig[runnerId=" + runnerId + ", runnerName=" + runnerName + ", config=<redacted>]";
  }
}
