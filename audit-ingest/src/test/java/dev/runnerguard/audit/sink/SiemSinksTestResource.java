package dev.runnerguard.audit.sink;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/**
 * Configures the three SIEM sinks of {@link SiemSinksIT} before the application starts: the HEC
 * sink at a free loopback port where nothing listens yet (the outage), a syslog TCP/JSON and a
 * syslog TLS/CEF destination at free ports with the TLS CA file the test will generate. The test
 * starts the HEC simulator and the rsyslogd instances itself, on these ports (published as system
 * properties; only strings cross the class loaders). The HEC token goes through a file, never a
 * system property.
 */
public final class SiemSinksTestResource implements QuarkusTestResourceLifecycleManager {

  static final String DIR = "runnerguard.test.siem.dir";
  static final String HEC_PORT = "runnerguard.test.siem.hec-port";
  static final String TCP_PORT = "runnerguard.test.siem.tcp-port";
  static final String TLS_PORT = "runnerguard.test.siem.tls-port";
  static final String LOG = "runnerguard.test.siem.log";

  @Override
  public Map<String, String> start() {
    try {
      Path dir = Files.createTempDirectory(Path.of("target"), "siem-sinks-").toAbsolutePath();
      Path tokenFile = dir.resolve("hec.token");
      Files.writeString(tokenFile, "hec-" + UUID.randomUUID() + "\n");
      Path keyFile = dir.resolve("checkpoint.key");
      Files.writeString(keyFile, "ckpt-" + UUID.randomUUID() + "-" + UUID.randomUUID() + "\n");
      int hec = RsyslogServer.freePort();
      int tcp = RsyslogServer.freePort();
      int tls = RsyslogServer.freePort();
      Path log = dir.resolve("audit-ingest.log");
      System.setProperty(DIR, dir.toString());
      System.setProperty(HEC_PORT, Integer.toString(hec));
      System.setProperty(TCP_PORT, Integer.toString(tcp));
      System.setProperty(TLS_PORT, Integer.toString(tls));
      System.setProperty(LOG, log.toString());
      Map<String, String> c = new HashMap<>();
      c.put("runnerguard.audit.sink.retry-backoff-max", "1s");
      c.put("runnerguard.audit.sink.batch-size", "20");
      c.put("runnerguard.audit.sink.hec.enabled", "true");
      c.put("runnerguard.audit.sink.hec.url", "http://127.0.0.1:" + hec);
      c.put("runnerguard.audit.sink.hec.token-file", tokenFile.toString());
      c.put("runnerguard.audit.sink.hec.ack-poll-interval", "20ms");
      c.put("runnerguard.audit.sink.hec.ack-timeout", "3s");
      c.put("runnerguard.audit.sink.hec.request-timeout", "5s");
      c.put("runnerguard.audit.sink.syslog.plain.host", "127.0.0.1");
      c.put("runnerguard.audit.sink.syslog.plain.port", Integer.toString(tcp));
      c.put("runnerguard.audit.sink.syslog.plain.transport", "tcp");
      c.put("runnerguard.audit.sink.syslog.plain.format", "json");
      c.put("runnerguard.audit.sink.syslog.plain.hostname", "rg-audit-it");
      c.put("runnerguard.audit.sink.syslog.secure.host", "127.0.0.1");
      c.put("runnerguard.audit.sink.syslog.secure.port", Integer.toString(tls));
      c.put("runnerguard.audit.sink.syslog.secure.transport", "tls");
      c.put("runnerguard.audit.sink.syslog.secure.format", "cef");
      c.put("runnerguard.audit.sink.syslog.secure.hostname", "rg-audit-it");
      c.put("runnerguard.audit.sink.syslog.secure.ca-file", dir.resolve("tls/cert.pem").toString());
      // retention on (nothing is old enough to prune): the key must not leak either
      c.put("runnerguard.audit.retention.enabled", "true");
      c.put("runnerguard.audit.retention.interval", "1s");
      c.put("runnerguard.audit.retention.max-age", "3650d");
      c.put("runnerguard.audit.retention.checkpoint-key-file", keyFile.toString());
      // everything the service logs, at DEBUG for its own code, to a file the test searches
      c.put("quarkus.log.file.enabled", "true");
      c.put("quarkus.log.file.path", log.toString());
      c.put("quarkus.log.category.\"dev.runnerguard\".level", "DEBUG");
      return c;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void stop() {
    // the test stops what it started
  }
}
