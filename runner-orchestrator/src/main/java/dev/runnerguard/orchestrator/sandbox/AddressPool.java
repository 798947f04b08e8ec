package dev.runnerguard.orchestrator.sandbox;

import java.util.Collection;
import java.util.HashSet;
import java.util.Set;

/**
 * An IPv4 pool split into /30 subnets, one per runner: slot {@code i} is {@code base + 4i}, the
 * host-side veth gets {@code .1}, the runner side {@code .2}.
 */
public final class AddressPool {
  private final int base;
  private final int prefix;

  private AddressPool(int base, int prefix) {
    this.base = base;
    this.prefix = prefix;
  }

  /** Parses {@code a.b.c.d/n} with n in 8..30; the address is masked to the network. */
  public static AddressPool parse(String cidr) {
    if (cidr == null) {
      throw new IllegalArgumentException("address pool missing");
    }
    int slash = cidr.indexOf('/');
    if (slash < 0) {
      throw new IllegalArgumentException("address pool is not a CIDR: " + cidr);
    }
    int addr = Ipv4.parse(cidr.substring(0, slash));
    int n;
    try {
      n = Integer.parseInt(cidr.substring(slash + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("address pool prefix is not a number: " + cidr);
    }
    if (n < 8 || n > 30) {
      throw new IllegalArgumentException("address pool prefix must be 8..30: " + cidr);
    }
    return new AddressPool(addr & Ipv4.mask(n), n);
  }

  /** Number of /30 slots. */
  public int size() {
    return 1 << (30 - prefix);
  }

  /** The host-side address of a slot. */
  public String hostAddress(int slot) {
    check(slot);
    return Ipv4.format(base + 4 * slot + 1);
  }

  /** The runner-side address of a slot. */
  public String runnerAddress(int slot) {
    check(slot);
    return Ipv4.format(base + 4 * slot + 2);
  }

  /** The lowest slot not in {@code used}, or -1 when the pool is exhausted. */
  public int allocate(Collection<Integer> used) {
    Set<Integer> taken = new HashSet<>(used);
    for (int i = 0; i < size(); i++) {
      if (!taken.contains(i)) {
        return i;
      }
    }
    return -1;
  }

  private void check(int slot) {
    if (slot < 0 || slot >= size()) {
      throw new IllegalArgumentException("slot out of pool: " + slot);
    }
  }

  @Override
  public String toString() {
    return Ipv4.format(base) + "/" + prefix;
  }
}
