package dev.runnerguard.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * Real GitHub webhook bodies (octokit/webhooks examples, MIT, see {@code
 * fixtures/github/payloads/LICENSE.octokit-webhooks}) and GitHub's documented signature test
 * vector, copied from the project's reference material.
 */
public final class GitHubFixtures {
  /** The real {@code workflow_job} payloads: queued, in_progress, completed. */
  public static final List<String> WORKFLOW_JOB_PAYLOADS =
      List.of(
          "queued.payload.json",
          "in_progress.payload.json",
          "completed.success.with-organization.payload.json");

  private GitHubFixtures() {}

  /** The raw bytes of a payload file, exactly as GitHub sent them. */
  public static byte[] payload(String fileName) {
    return resource("fixtures/github/payloads/" + fileName);
  }

  /** The JSON of GitHub's documented HMAC-SHA256 signature test vector. */
  public static byte[] signatureTestVector() {
    return resource("fixtures/github/webhook-signature-test-vector.json");
  }

  private static byte[] resource(String path) {
    try (InputStream in = GitHubFixtures.class.getClassLoader().getResourceAsStream(path)) {
      if (in == null) {
        throw new IllegalArgumentException("no such fixture: " + path);
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
