package dev.runnerguard.audit.ocsf;

import dev.runnerguard.audit.chain.CanonicalWriter;
import dev.runnerguard.schemas.avro.NetworkInfo;
import dev.runnerguard.schemas.avro.SecuritySignal;

/**
 * Egress signals ({@code runner.signal} with kind {@code net.*} / {@code dns.*} or network details)
 * → OCSF Network Activity (4001): {@code net.connect} is Open (1), {@code net.refused} Refuse (5),
 * anything else Traffic (6). The runner is {@code src_endpoint}, the destination {@code
 * dst_endpoint}.
 */
public final class NetworkActivityNormaliser {

  private NetworkActivityNormaliser() {}

  /** Whether a signal is an egress (network) signal. */
  public static boolean accepts(SecuritySignal s) {
    return s.getKind().startsWith("net.")
        || s.getKind().startsWith("dns.")
        || s.getNetwork() != null;
  }

  public static NormalisedEvent normalise(SecuritySignal s, SourcePosition pos) {
    int activity;
    String name;
    switch (s.getKind()) {
      case "net.connect" -> {
        activity = 1;
        name = "Open";
      }
      case "net.refused" -> {
        activity = 5;
        name = "Refuse";
      }
      default -> {
        activity = 6;
        name = "Traffic";
      }
    }
    CanonicalWriter w = SignalSupport.begin(Ocsf.NETWORK_ACTIVITY, activity, name, s, pos, true);
    String runnerId = Ocsf.runnerId(s.getRunnerId(), s.getMetadata());
    w.beginObject("src_endpoint");
    w.field("hostname", runnerId != null ? runnerId : "unknown");
    w.fieldIfNotNull("uid", runnerId);
    w.endObject();
    NetworkInfo n = s.getNetwork();
    w.beginObject("dst_endpoint");
    if (n != null) {
      w.fieldIfNotNull("hostname", n.getDestinationHost());
      w.fieldIfNotNull("ip", n.getDestinationAddress());
      w.fieldIfNotNull("port", n.getDestinationPort());
    }
    if (w.count() == 0) {
      w.field("hostname", "unknown");
    }
    w.endObject();
    if (n != null && n.getProtocol() != null) {
      w.beginObject("connection_info").field("protocol_name", n.getProtocol()).endObject();
    }
    return SignalSupport.end(w, Ocsf.NETWORK_ACTIVITY, s, pos);
  }
}
