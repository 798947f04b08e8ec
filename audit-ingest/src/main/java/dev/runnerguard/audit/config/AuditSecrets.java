package dev.runnerguard.audit.config;

import dev.runnerguard.audit.retention.CheckpointSigner;
import dev.runnerguard.support.SecretSettings;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.util.Optional;
import org.eclipse.microprofile.config.Config;

/**
 * The secrets of audit-ingest, loaded with {@link SecretSettings} (environment or file, never a JVM
 * system property): the Splunk HEC token and the checkpoint key. Errors name the setting, never a
 * value.
 */
@ApplicationScoped
public class AuditSecrets {

  static final String HEC_TOKEN = "runnerguard.audit.sink.hec.token";
  static final String HEC_TOKEN_FILE = "runnerguard.audit.sink.hec.token-file";
  static final String CHECKPOINT_KEY = "runnerguard.audit.retention.checkpoint-key";
  static final String CHECKPOINT_KEY_FILE = "runnerguard.audit.retention.checkpoint-key-file";

  private final SecretSettings.Source source;

  public AuditSecrets(Config mpConfig) {
    this.source = SecretSettings.Source.of(name -> mpConfig.getOptionalValue(name, String.class));
  }

  /** The HEC token, or empty when none is configured. */
  public Optional<String> hecToken() {
    return SecretSettings.load(source, HEC_TOKEN, HEC_TOKEN_FILE);
  }

  @Produces
  @Singleton
  CheckpointSigner checkpointSigner(AuditConfig config) {
    return SecretSettings.load(source, CHECKPOINT_KEY, CHECKPOINT_KEY_FILE)
        .map(k -> CheckpointSigner.of(k, config.retention().checkpointKeyId()))
        .orElseGet(CheckpointSigner::none);
  }
}
