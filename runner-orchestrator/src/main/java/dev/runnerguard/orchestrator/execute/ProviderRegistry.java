package dev.runnerguard.orchestrator.execute;

import dev.runnerguard.orchestrator.spi.RunnerProvider;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** The configured providers by name; an admission's {@code RunnerSpec.provider} selects one. */
public final class ProviderRegistry implements AutoCloseable {
  private final Map<String, RunnerProvider> providers = new LinkedHashMap<>();

  public ProviderRegistry(Collection<RunnerProvider> providers) {
    for (RunnerProvider p : providers) {
      if (this.providers.putIfAbsent(p.name(), p) != null) {
        throw new IllegalArgumentException("two providers named " + p.name());
      }
    }
  }

  public Optional<RunnerProvider> get(String name) {
    return Optional.ofNullable(providers.get(name));
  }

  public Collection<RunnerProvider> all() {
    return providers.values();
  }

  public String names() {
    return String.join(", ", providers.keySet());
  }

  @Override
  public void close() {
    providers.values().forEach(RunnerProvider::close);
  }
}
