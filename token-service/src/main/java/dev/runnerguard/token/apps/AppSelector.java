package dev.runnerguard.token.apps;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;

/**
 * Which App to use (pure): the Apps installed on the organisation that are not rate limited, the
 * one with the most remaining primary rate limit first (unknown, or last seen before a reset that
 * has passed, counts as full). Apps tied for the most are taken in turn ({@code rotation}).
 */
public final class AppSelector {
  private AppSelector() {}

  public static List<GitHubApp> order(List<GitHubApp> installed, Instant now, long rotation) {
    List<GitHubApp> ready = new ArrayList<>();
    for (GitHubApp a : installed) {
      if (!a.rate().limited(now)) {
        ready.add(a);
      }
    }
    if (ready.size() < 2) {
      return ready;
    }
    // Stable order first (by App id), then by remaining, most first.
    ready.sort(Comparator.comparingLong(GitHubApp::appId));
    ready.sort(
        Comparator.comparingLong((GitHubApp a) -> a.rate().effectiveRemaining(now)).reversed());
    long top = ready.get(0).rate().effectiveRemaining(now);
    int ties = 1;
    while (ties < ready.size() && ready.get(ties).rate().effectiveRemaining(now) == top) {
      ties++;
    }
    if (ties > 1) {
      Collections.rotate(ready.subList(0, ties), -(int) Math.floorMod(rotation, (long) ties));
    }
    return ready;
  }
}
