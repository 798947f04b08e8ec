package dev.runnerguard.launcher;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;

/**
 * Creates the local stack's demo credentials once, as files readable only by their owner: the
 * GitHub App private key that github-sim registers and the token-service signs with (PKCS#8 PEM,
 * RSA 2048), and the shared secret of the internal service tokens. Existing files are kept. Nothing
 * is printed but the paths.
 *
 * <p>Usage: {@code DemoSecrets app-key <file>} or {@code DemoSecrets internal-secret <file>}.
 */
public final class DemoSecrets {
  private DemoSecrets() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 2) {
      System.err.println("usage: DemoSecrets app-key|internal-secret <file>");
      System.exit(2);
    }
    Path file = Path.of(args[1]);
    if (Files.exists(file) && Files.size(file) > 0) {
      return;
    }
    String content =
        switch (args[0]) {
          case "app-key" -> appKeyPem();
          case "internal-secret" -> internalSecret();
          default -> {
            System.err.println("unknown kind: " + args[0]);
            System.exit(2);
            yield "";
          }
        };
    writePrivate(file, content);
    System.out.println("created " + file);
  }

  /** A new RSA 2048 private key as PKCS#8 PEM. */
  static String appKeyPem() throws NoSuchAlgorithmException {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
    generator.initialize(2048);
    byte[] der = generator.generateKeyPair().getPrivate().getEncoded(); // PKCS#8
    String body =
        Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
    return "-----BEGIN PRIVATE KEY-----\n" + body + "\n-----END PRIVATE KEY-----\n";
  }

  /** 32 random bytes as hex. */
  static String internalSecret() {
    byte[] secret = new byte[32];
    new SecureRandom().nextBytes(secret);
    return HexFormat.of().formatHex(secret);
  }

  /** Writes atomically, mode 600 from the start (never world-readable, not even briefly). */
  static void writePrivate(Path file, String content) throws IOException {
    Files.createDirectories(file.toAbsolutePath().getParent());
    Path tmp =
        Files.createTempFile(
            file.toAbsolutePath().getParent(),
            ".tmp-",
            "",
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Files.writeString(tmp, content, StandardCharsets.US_ASCII);
    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }
}
