package dev.runnerguard.audit.sink;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Key;
import java.security.KeyStore;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real rsyslogd (the Debian package; {@code rsyslog-gnutls} for TLS) started by a test: its own
 * config, pid file and work directory, one imtcp input on a free loopback port (plain TCP, or TLS
 * with the gtls driver and a certificate the test generates with the JDK's keytool), every received
 * message written to a file with its parsed RFC 5424 fields: {@code
 * pri|version|timestamp|hostname|app-name|procid|msgid|structured-data|msg}. Stopped by {@link
 * #close()} (SIGTERM, then SIGKILL).
 */
public final class RsyslogServer implements AutoCloseable {

  private final Path dir;
  private final int port;
  private final boolean tls;
  private Process process;

  private RsyslogServer(Path dir, int port, boolean tls) {
    this.dir = dir;
    this.port = port;
    this.tls = tls;
  }

  /** Starts rsyslogd listening on 127.0.0.1:port, TLS or plain TCP. */
  public static RsyslogServer start(Path dir, int port, boolean tls) throws Exception {
    Files.createDirectories(dir);
    RsyslogServer s = new RsyslogServer(dir, port, tls);
    if (tls) {
      s.generateCertificate();
    }
    s.writeConfig();
    s.launch();
    return s;
  }

  public int port() {
    return port;
  }

  /** The PEM certificate a client must trust (TLS only). */
  public Path certificate() {
    return dir.resolve("cert.pem");
  }

  /** The lines received so far (one per message). */
  public List<String> received() throws IOException {
    Path f = dir.resolve("received.log");
    return Files.exists(f) ? Files.readAllLines(f, StandardCharsets.UTF_8) : List.of();
  }

  /** rsyslogd's own output (errors). */
  public String output() throws IOException {
    Path f = dir.resolve("rsyslogd.out");
    return Files.exists(f) ? Files.readString(f) : "";
  }

  /** A free loopback port. */
  public static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private void generateCertificate() throws Exception {
    Path ks = dir.resolve("server.p12");
    Files.deleteIfExists(ks);
    String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
    // RSA: GnuTLS refuses the PKCS#8 form of an EC key as the JDK writes it
    Process p =
        new ProcessBuilder(
                keytool,
                "-genkeypair",
                "-alias",
                "rsyslog",
                "-keyalg",
                "RSA",
                "-keysize",
                "2048",
                "-dname",
                "CN=localhost",
                "-ext",
                "SAN=ip:127.0.0.1,dns:localhost",
                "-validity",
                "2",
                "-keystore",
                ks.toString(),
                "-storetype",
                "PKCS12",
                "-storepass",
                "changeit")
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("keytool.out").toFile())
            .start();
    if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IllegalStateException(
          "keytool failed: " + Files.readString(dir.resolve("keytool.out")));
    }
    KeyStore store = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(ks)) {
      store.load(in, "changeit".toCharArray());
    }
    Key key = store.getKey("rsyslog", "changeit".toCharArray());
    Files.writeString(dir.resolve("key.pem"), pem("PRIVATE KEY", key.getEncoded()));
    Files.writeString(
        certificate(), pem("CERTIFICATE", store.getCertificate("rsyslog").getEncoded()));
  }

  private static String pem(String type, byte[] der) {
    return "-----BEGIN "
        + type
        + "-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
        + "\n-----END "
        + type
        + "-----\n";
  }

  private void writeConfig() throws IOException {
    String d = dir.toAbsolutePath().toString();
    StringBuilder c = new StringBuilder();
    c.append("global(workDirectory=\"").append(d).append("\" maxMessageSize=\"64k\"");
    if (tls) {
      c.append(" DefaultNetstreamDriver=\"gtls\"")
          .append(" DefaultNetstreamDriverCAFile=\"")
          .append(d)
          .append("/cert.pem\"")
          .append(" DefaultNetstreamDriverCertFile=\"")
          .append(d)
          .append("/cert.pem\"")
          .append(" DefaultNetstreamDriverKeyFile=\"")
          .append(d)
          .append("/key.pem\"");
    }
    c.append(")\n");
    if (tls) {
      c.append(
          "module(load=\"imtcp\" StreamDriver.Name=\"gtls\" StreamDriver.Mode=\"1\""
              + " StreamDriver.AuthMode=\"anon\")\n");
    } else {
      c.append("module(load=\"imtcp\")\n");
    }
    c.append("input(type=\"imtcp\" port=\"")
        .append(port)
        .append("\" address=\"127.0.0.1\")\n")
        .append("template(name=\"rgfmt\" type=\"list\") {\n")
        .append("  property(name=\"pri\") constant(value=\"|\")\n")
        .append("  property(name=\"protocol-version\") constant(value=\"|\")\n")
        .append("  property(name=\"timereported\" dateFormat=\"rfc3339\") constant(value=\"|\")\n")
        .append("  property(name=\"hostname\") constant(value=\"|\")\n")
        .append("  property(name=\"app-name\") constant(value=\"|\")\n")
        .append("  property(name=\"procid\") constant(value=\"|\")\n")
        .append("  property(name=\"msgid\") constant(value=\"|\")\n")
        .append("  property(name=\"structured-data\") constant(value=\"|\")\n")
        .append("  property(name=\"msg\") constant(value=\"\\n\")\n")
        .append("}\n")
        .append("action(type=\"omfile\" file=\"")
        .append(d)
        .append("/received.log\" template=\"rgfmt\")\n");
    Files.writeString(dir.resolve("rsyslog.conf"), c.toString());
  }

  private void launch() throws Exception {
    Path pid = dir.resolve("rsyslogd.pid");
    Files.deleteIfExists(pid);
    process =
        new ProcessBuilder(
                "rsyslogd",
                "-n",
                "-f",
                dir.resolve("rsyslog.conf").toString(),
                "-i",
                pid.toString())
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("rsyslogd.out").toFile())
            .start();
    long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (System.nanoTime() < end) {
      if (!process.isAlive()) {
        throw new IllegalStateException("rsyslogd exited: " + output());
      }
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", port), 500);
        return;
      } catch (IOException notYet) {
        Thread.sleep(100);
      }
    }
    close();
    throw new IllegalStateException("rsyslogd did not listen on " + port + ": " + output());
  }

  @Override
  public void close() throws InterruptedException {
    Process p = process;
    if (p != null && p.isAlive()) {
      p.destroy();
      if (!p.waitFor(10, TimeUnit.SECONDS)) {
        p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    }
  }
}
