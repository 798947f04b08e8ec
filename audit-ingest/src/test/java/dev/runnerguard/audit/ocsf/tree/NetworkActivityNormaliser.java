package dev.runnerguard.audit.ocsf.tree;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.runnerguard.audit.ocsf.NormalisedEvent;
import dev.runnerguard.audit.ocsf.SourcePosition;
import dev.runnerguard.schemas.avro.NetworkInfo;
import dev.runnerguard.schemas.avro.SecuritySignal;

/**
 * THE REFERENCE (test only): the tree-building normaliser as it was before the normalisers wrote
 * canonical bytes directly; kept unchanged to check the new path against
 * (NormalisersEquivalenceTest).
 *
 * <p>Egress signals ({@code runner.signal} with kind {@code net.*} / {@code dns.*} or network
 * details) → OCSF Network Activity (4001): {@code net.connect} is Open (1), {@code net.refused}
 * Refuse (5), anything else Traffic (6). The runner is {@code src_endpoint}, the destination {@code
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
    ObjectNode o = SignalSupport.base(Ocsf.NETWORK_ACTIVITY, activity, name, s, pos);
    String runnerId = Ocsf.runnerId(s.getRunnerId(), s.getMetadata());
    ObjectNode src = o.putObject("src_endpoint");
    src.put("hostname", runnerId != null ? runnerId : "unknown");
    Ocsf.putIfNotNull(src, "uid", runnerId);
    ObjectNode dst = o.putObject("dst_endpoint");
    NetworkInfo n = s.getNetwork();
    if (n != null) {
      Ocsf.putIfNotNull(dst, "hostname", n.getDestinationHost());
      Ocsf.putIfNotNull(dst, "ip", n.getDestinationAddress());
      Ocsf.putIfNotNull(dst, "port", n.getDestinationPort());
      if (n.getProtocol() != null) {
        o.putObject("connection_info").put("protocol_name", n.getProtocol());
      }
    }
    if (dst.isEmpty()) {
      dst.put("hostname", "unknown");
    }
    if (s.getProcess() != null) {
      ((ObjectNode) o.get("actor")).set("process", SignalSupport.process(s.getProcess()));
    }
    return SignalSupport.event(Ocsf.NETWORK_ACTIVITY, o, s, pos);
  }
}
