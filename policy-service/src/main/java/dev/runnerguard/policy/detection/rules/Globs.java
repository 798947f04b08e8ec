package dev.runnerguard.policy.detection.rules;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * Path globs: {@code *} matches within one path segment, {@code **} across segments ({@code
 * **}{@code /x} also matches {@code x} at the root); everything else is literal.
 */
public final class Globs {
  private static final Map<String, Pattern> CACHE = new ConcurrentHashMap<>();

  private Globs() {}

  /** The first glob that matches the path, if any. */
  public static Optional<String> firstMatch(List<String> globs, String path) {
    if (path == null || path.isEmpty()) {
      return Optional.empty();
    }
    for (String g : globs) {
      if (matches(g, path)) {
        return Optional.of(g);
      }
    }
    return Optional.empty();
  }

  /** True when the glob matches the whole path. */
  public static boolean matches(String glob, String path) {
    return CACHE.computeIfAbsent(glob, Globs::compile).matcher(path).matches();
  }

  static Pattern compile(String glob) {
    StringBuilder re = new StringBuilder();
    for (int i = 0; i < glob.length(); i++) {
      char c = glob.charAt(i);
      if (c == '*') {
        if (i + 1 < glob.length() && glob.charAt(i + 1) == '*') {
          i++;
          if (i + 1 < glob.length() && glob.charAt(i + 1) == '/') {
            i++;
            re.append("(?:.*/)?");
          } else {
            re.append(".*");
          }
        } else {
          re.append("[^/]*");
        }
      } else {
        re.append(Pattern.quote(String.valueOf(c)));
      }
    }
    return Pattern.compile(re.toString(), Pattern.DOTALL);
  }
}
