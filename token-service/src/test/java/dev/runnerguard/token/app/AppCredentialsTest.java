package dev.runnerguard.token.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jwt.SignedJWT;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.RSAPrivateKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class AppCredentialsTest {
  static KeyPair pair;

  @BeforeAll
  static void keys() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
    g.initialize(2048);
    pair = g.generateKeyPair();
  }

  static String pem(String type, byte[] der) {
    return "-----BEGIN "
        + type
        + "-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(der)
        + "\n-----END "
        + type
        + "-----\n";
  }

  /** PKCS#1 RSAPrivateKey = the OCTET STRING at the end of the PKCS#8 PrivateKeyInfo. */
  static byte[] pkcs1Of(byte[] pkcs8) {
    // SEQ{ INT 0, SEQ{alg}, OCTET STRING{pkcs1} }: skip header, version (3), alg (15), octet hdr
    int i = 1;
    i += (pkcs8[i] & 0x80) == 0 ? 1 : 1 + (pkcs8[i] & 0x7f);
    i += 3 + 15;
    i++; // 0x04
    int lenLen = (pkcs8[i] & 0x80) == 0 ? 0 : (pkcs8[i] & 0x7f);
    int len = 0;
    if (lenLen == 0) {
      len = pkcs8[i];
    } else {
      for (int k = 1; k <= lenLen; k++) {
        len = (len << 8) | (pkcs8[i + k] & 0xff);
      }
    }
    i += 1 + lenLen;
    return Arrays.copyOfRange(pkcs8, i, i + len);
  }

  @Test
  void parsesPkcs8AndPkcs1ToTheSameKey() {
    byte[] pkcs8 = pair.getPrivate().getEncoded();
    RSAPrivateKey a = PemKeys.parsePrivateKey(pem("PRIVATE KEY", pkcs8));
    RSAPrivateKey b = PemKeys.parsePrivateKey(pem("RSA PRIVATE KEY", pkcs1Of(pkcs8)));
    assertThat(a.getModulus()).isEqualTo(((RSAPublicKey) pair.getPublic()).getModulus());
    assertThat(b.getModulus()).isEqualTo(a.getModulus());
    assertThat(b.getPrivateExponent()).isEqualTo(a.getPrivateExponent());
    assertThat(PemKeys.publicKeyOf(b)).isEqualTo(pair.getPublic());
  }

  @Test
  void refusesGarbageWithoutEchoingIt() {
    String bad = "-----BEGIN PRIVATE KEY-----\nAAAASECRETSECRET\n-----END PRIVATE KEY-----\n";
    assertThatThrownBy(() -> PemKeys.parsePrivateKey(bad))
        .isInstanceOf(IllegalArgumentException.class)
        .message()
        .doesNotContain("SECRET");
    assertThatThrownBy(() -> PemKeys.parsePrivateKey("not a pem"))
        .hasMessageContaining("PKCS#1 or PKCS#8");
  }

  @Test
  void appJwtHasGitHubClaimsAndVerifiesWithThePublicKey() throws Exception {
    Instant now = Instant.ofEpochSecond(1_800_000_000L);
    AppCredentials app =
        new AppCredentials(
            1000001,
            null,
            PemKeys.parsePrivateKey(pem("PRIVATE KEY", pair.getPrivate().getEncoded())));
    SignedJWT jwt = SignedJWT.parse(app.mintJwt(now));
    assertThat(jwt.getHeader().getAlgorithm()).isEqualTo(JWSAlgorithm.RS256);
    assertThat(jwt.verify(new RSASSAVerifier((RSAPublicKey) pair.getPublic()))).isTrue();
    assertThat(jwt.getJWTClaimsSet().getIssuer()).isEqualTo("1000001");
    assertThat(jwt.getJWTClaimsSet().getIssueTime().toInstant()).isEqualTo(now.minusSeconds(60));
    assertThat(jwt.getJWTClaimsSet().getExpirationTime().toInstant())
        .isEqualTo(now.plusSeconds(540));
    assertThat(app.toString()).contains("redacted").doesNotContain("MII");
  }

  @Test
  void clientIdIsPreferredAsIssuer() throws Exception {
    AppCredentials app = new AppCredentials(7, "Iv23liABC", (RSAPrivateKey) pair.getPrivate());
    assertThat(SignedJWT.parse(app.mintJwt(Instant.now())).getJWTClaimsSet().getIssuer())
        .isEqualTo("Iv23liABC");
  }

  @Test
  void aJwtSignedWithAnotherKeyDoesNotVerify() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
    g.initialize(2048);
    KeyPair other = g.generateKeyPair();
    AppCredentials app = new AppCredentials(7, null, (RSAPrivateKey) other.getPrivate());
    SignedJWT jwt = SignedJWT.parse(app.mintJwt(Instant.now()));
    assertThat(jwt.verify(new RSASSAVerifier((RSAPublicKey) pair.getPublic()))).isFalse();
  }
}
