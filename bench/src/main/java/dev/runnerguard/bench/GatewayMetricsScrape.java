package dev.runnerguard.bench;

import java.util.Map;
import java.util.TreeMap;

/**
 * The gateway's own view of the broker acknowledgement time: the buckets of {@code
 * runnerguard_gateway_produce_latency_seconds} from {@code /q/metrics}, so a phase's quantile is
 * read from the difference of two scrapes. Quantiles are bucket upper bounds.
 */
final class GatewayMetricsScrape {
  private static final String BUCKET = "runnerguard_gateway_produce_latency_seconds_bucket{";

  private final TreeMap<Double, Double> cumulative; // le (seconds) -> count

  private GatewayMetricsScrape(TreeMap<Double, Double> cumulative) {
    this.cumulative = cumulative;
  }

  static GatewayMetricsScrape parse(String metrics) {
    TreeMap<Double, Double> buckets = new TreeMap<>();
    for (String line : metrics.split("\n")) {
      if (!line.startsWith(BUCKET)) {
        continue;
      }
      int le = line.indexOf("le=\"");
      int close = line.indexOf('"', le + 4);
      int brace = line.lastIndexOf('}');
      if (le < 0 || close < 0 || brace < 0) {
        continue;
      }
      String bound = line.substring(le + 4, close);
      double upper = bound.equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(bound);
      String rest = line.substring(brace + 1).trim().split("\\s+")[0];
      buckets.merge(upper, Double.parseDouble(rest), Double::sum);
    }
    return new GatewayMetricsScrape(buckets);
  }

  static GatewayMetricsScrape empty() {
    return new GatewayMetricsScrape(new TreeMap<>());
  }

  /** The bucket bound (ms) below which the quantile q of the acks between the scrapes fell. */
  double quantileMsSince(GatewayMetricsScrape before, double q) {
    TreeMap<Double, Double> delta = new TreeMap<>();
    for (Map.Entry<Double, Double> e : cumulative.entrySet()) {
      delta.put(e.getKey(), e.getValue() - before.cumulative.getOrDefault(e.getKey(), 0.0));
    }
    Double total = delta.get(Double.POSITIVE_INFINITY);
    if (total == null || total <= 0) {
      return Double.NaN;
    }
    for (Map.Entry<Double, Double> e : delta.entrySet()) {
      if (e.getValue() >= q * total) {
        return e.getKey() * 1000;
      }
    }
    return Double.NaN;
  }
}
