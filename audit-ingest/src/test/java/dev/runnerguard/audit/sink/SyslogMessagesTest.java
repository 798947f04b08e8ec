package dev.runnerguard.audit.sink;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.runnerguard.audit.store.StoredEvent;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class SyslogMessagesTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static StoredEvent event(String message) {
    ObjectNode o = JSON.createObjectNode();
    o.put("class_uid", 2004);
    o.put("class_name", "Detection Finding");
    o.put("activity_name", "Create");
    o.put("type_uid", 200401);
    o.put("type_name", "Detection Finding: Create");
    o.put("severity_id", 4);
    o.put("message", message);
    o.putObject("metadata").put("uid", "e-1").putObject("product").put("version", "1.2");
    ObjectNode rg = o.putObject("unmapped").putObject("runnerguard");
    rg.put("runner_id", "r\"1]");
    rg.put("job_id", 42);
    return new StoredEvent(
        7,
        "e-1",
        "runner.finding",
        2004,
        4,
        Instant.parse("2025-05-01T10:15:30.123456Z"),
        false,
        o);
  }

  @Test
  void rfc5424HeaderStructuredDataAndJsonBody() {
    String m = SyslogMessages.rfc5424(event("x"), 13, "host one", "runnerguard", "rg@32473", false);
    assertThat(m)
        .startsWith(
            "<107>1 2025-05-01T10:15:30.123Z host_one runnerguard - OCSF2004 [rg@32473 seq=\"7\""
                + " eventId=\"e-1\" classUid=\"2004\" runnerId=\"r\\\"1\\]\" jobId=\"42\"] {");
    assertThat(m).endsWith("}");
  }

  @Test
  void octetCountingCountsBytesNotChars() {
    String m = "<110>1 - - - - - ünïcødé";
    byte[] frame = SyslogMessages.frame(m);
    int len = m.getBytes(StandardCharsets.UTF_8).length;
    assertThat(new String(frame, StandardCharsets.UTF_8)).isEqualTo(len + " " + m);
    assertThat(len).isGreaterThan(m.length());
  }

  @Test
  void cefEscapesHeaderAndExtensions() {
    String c = SyslogMessages.cef(event("a=b\\c\nd|e"));
    assertThat(c)
        .startsWith("CEF:0|RunnerGuard|RunnerGuard|1.2|200401|Detection Finding: Create|8|rt=");
    assertThat(c).contains(" msg=a\\=b\\\\c\\nd|e");
    assertThat(c).contains(" cs1Label=runnerId cs1=r\"1]");
    assertThat(c).contains(" cn1Label=jobId cn1=42 cn2Label=seq cn2=7");
    assertThat(c).doesNotContain("\n");
  }

  @Test
  void severities() {
    assertThat(SyslogMessages.severity(1)).isEqualTo(6);
    assertThat(SyslogMessages.severity(6)).isEqualTo(1);
    assertThat(SyslogMessages.severity(99)).isEqualTo(5);
  }
}
