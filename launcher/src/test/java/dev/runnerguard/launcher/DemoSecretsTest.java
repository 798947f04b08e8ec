package dev.runnerguard.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DemoSecretsTest {
  @Test
  void appKeyIsAPkcs8RsaKeyOnlyTheOwnerCanReadAndIsKept(@TempDir Path dir) throws Exception {
    Path key = dir.resolve("sim/app-private-key.pem");
    DemoSecrets.main(new String[] {"app-key", key.toString()});
    String pem = Files.readString(key);
    assertThat(pem)
        .startsWith("-----BEGIN PRIVATE KEY-----\n")
        .endsWith("-----END PRIVATE KEY-----\n");
    byte[] der =
        Base64.getMimeDecoder()
            .decode(
                pem.replace("-----BEGIN PRIVATE KEY-----", "")
                    .replace("-----END PRIVATE KEY-----", ""));
    assertThat(
            KeyFactory.getInstance("RSA")
                .generatePrivate(new PKCS8EncodedKeySpec(der))
                .getAlgorithm())
        .isEqualTo("RSA");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(key)))
        .isEqualTo("rw-------");

    DemoSecrets.main(new String[] {"app-key", key.toString()});
    assertThat(Files.readString(key)).isEqualTo(pem);
  }

  @Test
  void internalSecretIs32RandomBytesInHex(@TempDir Path dir) throws Exception {
    Path a = dir.resolve("a");
    Path b = dir.resolve("b");
    DemoSecrets.main(new String[] {"internal-secret", a.toString()});
    DemoSecrets.main(new String[] {"internal-secret", b.toString()});
    assertThat(Files.readString(a)).matches("[0-9a-f]{64}").isNotEqualTo(Files.readString(b));
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(a)))
        .isEqualTo("rw-------");
  }
}
