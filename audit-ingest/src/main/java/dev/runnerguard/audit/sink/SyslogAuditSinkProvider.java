package dev.runnerguard.audit.sink;

import dev.runnerguard.audit.config.AuditConfig;
import dev.runnerguard.audit.spi.AuditSink;
import dev.runnerguard.audit.spi.AuditSinkProvider;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One {@link SyslogAuditSink} per {@code runnerguard.audit.sink.syslog.<name>.*} destination, named
 * {@code syslog-<name>} (its durable position and metric tag).
 */
@ApplicationScoped
public class SyslogAuditSinkProvider implements AuditSinkProvider {

  private final List<AuditSink> sinks;

  public SyslogAuditSinkProvider(AuditConfig config) {
    List<AuditSink> list = new ArrayList<>();
    for (Map.Entry<String, AuditConfig.SyslogSink> e :
        new TreeMap<>(config.sink().syslog()).entrySet()) {
      list.add(new SyslogAuditSink("syslog-" + e.getKey(), e.getValue()));
    }
    this.sinks = List.copyOf(list);
  }

  @Override
  public List<AuditSink> sinks() {
    return sinks;
  }
}
