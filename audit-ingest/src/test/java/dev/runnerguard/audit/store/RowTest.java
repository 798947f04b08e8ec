package dev.runnerguard.audit.store;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.runnerguard.audit.Samples;
import dev.runnerguard.audit.chain.CanonicalJson;
import dev.runnerguard.audit.chain.HashChain;
import dev.runnerguard.audit.ocsf.NormalisedEvent;
import dev.runnerguard.audit.ocsf.OcsfNormalisers;
import dev.runnerguard.audit.ocsf.SourcePosition;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The prepared COPY rows, against a plain String-built reference of the same COPY text. */
class RowTest {

  @Test
  void copyRowAndCanonicalBytesMatchTheReferenceOnEveryEventAndOddValues() {
    List<NormalisedEvent> events = new ArrayList<>();
    for (Samples.Sample s : new Samples("r-1", 42L).all()) {
      events.add(
          OcsfNormalisers.normalise(s.record(), new SourcePosition(s.topic().topicName(), 3, 99)));
    }
    ObjectNode odd = JsonNodeFactory.instance.objectNode();
    odd.put("path", "C:\\runner\\work\ttab\nnewline");
    odd.put("text", "é ✓ \ud83d\ude00");
    events.add(
        new NormalisedEvent(
            "id-with\\backslash\tand tab",
            new SourcePosition("runner.signal", 11, Long.MAX_VALUE),
            Instant.parse("2026-11-27T16:35:14.123456789Z"),
            1007,
            99,
            "rünner\r\n",
            null,
            true,
            odd));
    events.add(
        new NormalisedEvent(
            "plain",
            new SourcePosition("runner.finding", 0, 0),
            Instant.ofEpochSecond(0),
            2004,
            1,
            null,
            -5L,
            false,
            JsonNodeFactory.instance.objectNode().put("a", 1)));
    CanonicalJson.Bytes line = new CanonicalJson.Bytes(16);
    byte[] prev = HashChain.GENESIS;
    for (NormalisedEvent e : events) {
      AuditStore.Row row = AuditStore.Row.of(e, line);
      byte[] canonical = CanonicalJson.bytes(e.ocsf());
      assertThat(row.canonical()).isEqualTo(canonical);
      assertThat(row.hash(prev)).isEqualTo(HashChain.hash(prev, canonical));
      assertThat(new String(row.copyPrefix(), StandardCharsets.UTF_8))
          .isEqualTo(reference(e, new String(canonical, StandardCharsets.UTF_8)));
      assertThat(row.event().eventId()).isEqualTo(e.eventId());
      assertThat(row.event().position()).isEqualTo(e.position());
      assertThat(row.event().ocsf()).isNull();
      prev = row.hash(prev);
    }
  }

  /** The COPY text columns up to and including the ocsf column and its tab, built as Strings. */
  private static String reference(NormalisedEvent e, String canonical) {
    StringBuilder sb = new StringBuilder();
    sb.append(esc(e.eventId())).append('\t');
    sb.append(esc(e.position().topic())).append('\t');
    sb.append(e.position().partition()).append('\t');
    sb.append(e.position().offset()).append('\t');
    sb.append(e.occurredAt()).append('\t');
    sb.append(e.classUid()).append('\t');
    sb.append(e.runnerId() == null ? "\\N" : esc(e.runnerId())).append('\t');
    sb.append(e.jobId() == null ? "\\N" : e.jobId().toString()).append('\t');
    sb.append(e.severityId()).append('\t');
    sb.append(e.deadLettered() ? 't' : 'f').append('\t');
    sb.append(esc(canonical)).append('\t');
    return sb.toString();
  }

  private static String esc(String v) {
    return v.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r");
  }
}
