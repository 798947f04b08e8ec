package dev.runnerguard.orchestrator.state;

import java.util.Map;

/**
 * Warm pools: how many idle runners to keep ready per runner class, so a job starts without waiting
 * for a boot. {@code minIdle} applies to every class, {@code perClass} overrides it; 0 (the
 * default) means no pool. A class's pool is filled once the class has been admitted at least once
 * (its spec comes from policy with that admission).
 */
public record WarmPools(int minIdle, Map<String, Integer> perClass) {
  public static final WarmPools NONE = new WarmPools(0, Map.of());

  public WarmPools {
    perClass = Map.copyOf(perClass == null ? Map.of() : perClass);
  }

  public int minIdle(String runnerClass) {
    return Math.max(0, perClass.getOrDefault(runnerClass, minIdle));
  }

  public boolean none() {
    return minIdle <= 0 && perClass.values().stream().allMatch(n -> n <= 0);
  }
}
