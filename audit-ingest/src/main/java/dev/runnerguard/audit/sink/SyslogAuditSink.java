package dev.runnerguard.audit.sink;

import dev.runnerguard.audit.config.AuditConfig;
import dev.runnerguard.audit.spi.AuditSink;
import dev.runnerguard.audit.spi.SinkException;
import dev.runnerguard.audit.store.StoredEvent;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * One syslog destination: RFC 5424 messages ({@link SyslogMessages}, body OCSF JSON or CEF) with
 * octet-counting framing over TCP (RFC 6587) or TLS (RFC 5425), on one long-lived connection.
 *
 * <p>Delivery: a batch counts as delivered when all its frames were written and flushed without
 * error. Before each batch the connection is probed for an orderly close by the receiver (a read
 * with a 1 ms timeout that must time out), so a receiver that went away is noticed and the batch is
 * sent on a new connection; any write failure drops the connection and the whole batch is retried
 * (at-least-once, duplicates possible, identified by {@code seq} / {@code eventId} in the
 * structured data). Plain syslog has no application acknowledgement: frames the kernel accepted
 * just before the receiver crashed can still be lost; RELP would close that gap.
 *
 * <p>Errors: connect, TLS handshake (includes an untrusted certificate, which an operator must fix,
 * but which a receiver restarting with a new certificate can also cause) and write failures are
 * retriable. A write blocked longer than {@code timeout} closes the connection.
 */
public final class SyslogAuditSink implements AuditSink {

  private static final ScheduledExecutorService WATCHDOG =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "audit-syslog-write-watchdog");
            t.setDaemon(true);
            return t;
          });

  private final String name;
  private final AuditConfig.SyslogSink config;
  private final boolean tls;
  private final boolean cef;
  private final String hostname;
  // used by the sink's forwarder thread only (the watchdog closes its own reference)
  private Socket socket;
  private OutputStream out;

  public SyslogAuditSink(String name, AuditConfig.SyslogSink config) {
    this.name = name;
    this.config = config;
    String transport = config.transport().toLowerCase(Locale.ROOT);
    if (!transport.equals("tcp") && !transport.equals("tls")) {
      throw new IllegalArgumentException(
          "runnerguard.audit.sink.syslog.*.transport must be tcp or tls, not " + transport);
    }
    String format = config.format().toLowerCase(Locale.ROOT);
    if (!format.equals("json") && !format.equals("cef")) {
      throw new IllegalArgumentException(
          "runnerguard.audit.sink.syslog.*.format must be json or cef, not " + format);
    }
    if (config.facility() < 0 || config.facility() > 23) {
      throw new IllegalArgumentException("syslog facility must be 0..23");
    }
    this.tls = transport.equals("tls");
    this.cef = format.equals("cef");
    this.hostname = config.hostname().filter(h -> !h.isBlank()).orElse(PemTrust.localHostname());
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public boolean enabled() {
    return config.enabled();
  }

  @Override
  public void deliver(List<StoredEvent> batch) throws Exception {
    OutputStream o = connection();
    Socket current = socket;
    ScheduledFuture<?> watchdog =
        WATCHDOG.schedule(() -> close(current), config.timeout().toMillis(), TimeUnit.MILLISECONDS);
    try {
      for (StoredEvent e : batch) {
        o.write(
            SyslogMessages.frame(
                SyslogMessages.rfc5424(
                    e, config.facility(), hostname, config.appName(), config.sdId(), cef)));
      }
      o.flush();
    } catch (IOException e) {
      closeQuietly();
      throw SinkException.retriable(
          "syslog write to " + endpoint() + " failed: " + e.getClass().getSimpleName(), e);
    } finally {
      watchdog.cancel(false);
    }
  }

  private OutputStream connection() throws SinkException {
    if (socket != null && !receiverClosed()) {
      return out;
    }
    closeQuietly();
    int timeout = (int) Math.min(Integer.MAX_VALUE, config.timeout().toMillis());
    Socket s = null;
    try {
      s = new Socket();
      s.connect(new InetSocketAddress(config.host(), config.port()), timeout);
      s.setTcpNoDelay(true);
      s.setKeepAlive(true);
      if (tls) {
        SSLSocket ssl =
            (SSLSocket)
                PemTrust.context(config.caFile())
                    .getSocketFactory()
                    .createSocket(s, config.host(), config.port(), true);
        if (config.verifyHostname()) {
          SSLParameters p = ssl.getSSLParameters();
          p.setEndpointIdentificationAlgorithm("HTTPS");
          ssl.setSSLParameters(p);
        }
        ssl.setSoTimeout(timeout);
        ssl.startHandshake();
        s = ssl;
      }
      socket = s;
      out = new BufferedOutputStream(s.getOutputStream(), 64 * 1024);
      return out;
    } catch (Exception e) {
      if (s != null) {
        try {
          s.close();
        } catch (IOException ignored) {
          // already failing
        }
      }
      throw SinkException.retriable(
          "syslog "
              + (tls ? "TLS" : "TCP")
              + " connection to "
              + endpoint()
              + " failed: "
              + e.getClass().getSimpleName()
              + (e.getMessage() == null ? "" : " " + e.getMessage()),
          e);
    }
  }

  /** Whether the receiver closed the connection (a syslog receiver never sends anything). */
  private boolean receiverClosed() {
    try {
      socket.setSoTimeout(1);
      InputStream in = socket.getInputStream();
      in.read();
      return true; // end of stream (or unexpected data): start afresh
    } catch (SocketTimeoutException alive) {
      return false;
    } catch (IOException e) {
      return true;
    }
  }

  private void closeQuietly() {
    Socket s = socket;
    socket = null;
    out = null;
    close(s);
  }

  private static void close(Socket s) {
    if (s != null) {
      try {
        s.close();
      } catch (IOException ignored) {
        // closing anyway
      }
    }
  }

  private String endpoint() {
    return config.host() + ":" + config.port();
  }

  @Override
  public String toString() {
    return "SyslogAuditSink[" + name + " " + (tls ? "tls" : "tcp") + "://" + endpoint() + "]";
  }
}
