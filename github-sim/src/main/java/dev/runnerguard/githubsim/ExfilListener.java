package dev.runnerguard.githubsim;

import io.quarkus.runtime.Startup;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicLong;

/** A loopback TCP listener the simulator owns: the default target of {@code exfiltrate}. */
@Startup
@ApplicationScoped
public class ExfilListener {

  @Inject SimConfig config;
  private ServerSocket server;
  private final AtomicLong connections = new AtomicLong();

  @PostConstruct
  void start() {
    try {
      server = new ServerSocket(config.exfilPort(), 50, InetAddress.getLoopbackAddress());
    } catch (IOException e) {
      throw new IllegalStateException("github-sim: cannot open the exfiltration listener", e);
    }
    Thread t =
        new Thread(
            () -> {
              while (!server.isClosed()) {
                try (Socket s = server.accept()) {
                  connections.incrementAndGet();
                  s.setSoTimeout(200);
                  try {
                    s.getInputStream().read(new byte[256]);
                  } catch (IOException ignored) {
                    // the content does not matter; the connection does
                  }
                } catch (IOException e) {
                  if (server.isClosed()) {
                    return;
                  }
                }
              }
            },
            "github-sim-exfil");
    t.setDaemon(true);
    t.start();
  }

  @PreDestroy
  void stop() throws IOException {
    server.close();
  }

  public String address() {
    return "127.0.0.1:" + server.getLocalPort();
  }

  public long connections() {
    return connections.get();
  }
}
