package dev.runnerguard.audit.sink;

import com.fasterxml.jackson.databind.JsonNode;
import dev.runnerguard.audit.store.StoredEvent;
import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;

/**
 * RFC 5424 messages for the syslog sink, framed by octet counting (RFC 6587 section 3.4.1, RFC 5425
 * section 4.3): {@code MSG-LEN SP SYSLOG-MSG}. Pure.
 *
 * <pre>
 * &lt;PRI&gt;1 TIMESTAMP HOSTNAME APP-NAME - MSGID [sd-id seq=".." eventId=".." classUid=".." runnerId=".." jobId=".."] MSG
 * </pre>
 *
 * PRI = facility * 8 + severity (OCSF severity_id 1 Informational → 6 info, 2 Low → 5 notice, 3
 * Medium → 4 warning, 4 High → 3 err, 5 Critical → 2 crit, 6 Fatal → 1 alert, else 5 notice);
 * TIMESTAMP = the event's time (UTC, milliseconds); MSGID = {@code OCSF<class_uid>}; MSG = the OCSF
 * JSON, or CEF ({@link #cef}). No BOM (MSG-ANY).
 */
public final class SyslogMessages {
  private static final DateTimeFormatter TS =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

  private SyslogMessages() {}

  /** Syslog severity of an OCSF severity_id. */
  public static int severity(int ocsfSeverity) {
    switch (ocsfSeverity) {
      case 1:
        return 6;
      case 2:
        return 5;
      case 3:
        return 4;
      case 4:
        return 3;
      case 5:
        return 2;
      case 6:
        return 1;
      default:
        return 5;
    }
  }

  /** One RFC 5424 message (without framing). */
  public static String rfc5424(
      StoredEvent e, int facility, String hostname, String appName, String sdId, boolean cef) {
    JsonNode rg = e.ocsf().path("unmapped").path("runnerguard");
    StringBuilder sb = new StringBuilder(1024);
    sb.append('<').append(facility * 8 + severity(e.severityId())).append(">1 ");
    sb.append(TS.format(e.occurredAt().truncatedTo(ChronoUnit.MILLIS))).append(' ');
    sb.append(headerField(hostname, 255)).append(' ');
    sb.append(headerField(appName, 48)).append(" - ");
    sb.append("OCSF").append(e.classUid()).append(' ');
    sb.append('[').append(headerField(sdId, 32));
    param(sb, "seq", Long.toString(e.seq()));
    param(sb, "eventId", e.eventId());
    param(sb, "classUid", Integer.toString(e.classUid()));
    if (rg.hasNonNull("runner_id")) {
      param(sb, "runnerId", rg.get("runner_id").asText());
    }
    if (rg.hasNonNull("job_id")) {
      param(sb, "jobId", rg.get("job_id").asText());
    }
    sb.append("] ");
    sb.append(cef ? cef(e) : e.ocsf().toString());
    return sb.toString();
  }

  /** The octet-counted frame of a message. */
  public static byte[] frame(String message) {
    byte[] msg = message.getBytes(StandardCharsets.UTF_8);
    byte[] len = (msg.length + " ").getBytes(StandardCharsets.US_ASCII);
    byte[] out = new byte[len.length + msg.length];
    System.arraycopy(len, 0, out, 0, len.length);
    System.arraycopy(msg, 0, out, len.length, msg.length);
    return out;
  }

  /**
   * ArcSight CEF: {@code CEF:0|RunnerGuard|RunnerGuard|<version>|<type_uid>|<type_name>|<0-10>|}
   * then {@code rt externalId cat act outcome msg cs1(runnerId) cs2(topic) cn1(jobId) cn2(seq)}.
   */
  public static String cef(StoredEvent e) {
    JsonNode o = e.ocsf();
    JsonNode rg = o.path("unmapped").path("runnerguard");
    StringBuilder sb = new StringBuilder(512);
    sb.append("CEF:0|RunnerGuard|RunnerGuard|");
    sb.append(cefHeader(o.path("metadata").path("product").path("version").asText("unknown")));
    sb.append('|').append(o.path("type_uid").asLong());
    sb.append('|').append(cefHeader(o.path("type_name").asText("OCSF " + e.classUid())));
    sb.append('|').append(cefSeverity(e.severityId())).append('|');
    sb.append("rt=").append(e.occurredAt().toEpochMilli());
    ext(sb, "externalId", e.eventId());
    ext(sb, "cat", o.path("class_name").asText(null));
    ext(sb, "act", o.path("activity_name").asText(null));
    ext(sb, "outcome", o.hasNonNull("status") ? o.get("status").asText() : null);
    ext(sb, "msg", o.hasNonNull("message") ? o.get("message").asText() : null);
    if (rg.hasNonNull("runner_id")) {
      ext(sb, "cs1Label", "runnerId");
      ext(sb, "cs1", rg.get("runner_id").asText());
    }
    ext(sb, "cs2Label", "topic");
    ext(sb, "cs2", e.topic());
    if (rg.hasNonNull("job_id")) {
      ext(sb, "cn1Label", "jobId");
      ext(sb, "cn1", rg.get("job_id").asText());
    }
    ext(sb, "cn2Label", "seq");
    ext(sb, "cn2", Long.toString(e.seq()));
    return sb.toString();
  }

  static int cefSeverity(int ocsfSeverity) {
    switch (ocsfSeverity) {
      case 1:
        return 3;
      case 2:
        return 4;
      case 3:
        return 6;
      case 4:
        return 8;
      case 5:
        return 9;
      case 6:
        return 10;
      default:
        return 5;
    }
  }

  private static void ext(StringBuilder sb, String key, String value) {
    if (value == null) {
      return;
    }
    sb.append(' ').append(key).append('=');
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      switch (c) {
        case '\\':
          sb.append("\\\\");
          break;
        case '=':
          sb.append("\\=");
          break;
        case '\n':
          sb.append("\\n");
          break;
        case '\r':
          sb.append("\\r");
          break;
        default:
          sb.append(c);
      }
    }
  }

  private static String cefHeader(String s) {
    return s.replace("\\", "\\\\").replace("|", "\\|").replace('\n', ' ').replace('\r', ' ');
  }

  /** PARAM-VALUE escaping (RFC 5424 6.3.3): {@code "}, {@code \} and {@code ]}. */
  private static void param(StringBuilder sb, String name, String value) {
    sb.append(' ').append(name).append("=\"");
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c == '"' || c == '\\' || c == ']') {
        sb.append('\\');
      }
      sb.append(c);
    }
    sb.append('"');
  }

  /** A header field: printable US-ASCII without spaces, at most {@code max} characters, or "-". */
  static String headerField(String s, int max) {
    if (s == null || s.isEmpty()) {
      return "-";
    }
    StringBuilder sb = new StringBuilder(Math.min(s.length(), max));
    for (int i = 0; i < s.length() && sb.length() < max; i++) {
      char c = s.charAt(i);
      sb.append(c > 32 && c < 127 ? c : '_');
    }
    return sb.toString();
  }
}
