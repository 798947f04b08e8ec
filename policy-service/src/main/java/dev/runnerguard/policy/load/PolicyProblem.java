package dev.runnerguard.policy.load;

/**
 * One thing wrong in a policy directory.
 *
 * @param file the file (or the directory, for problems of the whole set)
 * @param line 1-based line, 0 when not known
 * @param message what is wrong
 */
public record PolicyProblem(String file, int line, String message) {
  @Override
  public String toString() {
    return line > 0 ? file + ":" + line + ": " + message : file + ": " + message;
  }
}
