package dev.runnerguard.token.app;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.security.interfaces.RSAPrivateKey;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;

/**
 * A GitHub App: its id, the JWT issuer and its private key. Mints App JWTs (RS256, iat = now - 60
 * s, exp = now + 9 min). toString never prints the key.
 */
public final class AppCredentials {
  public static final Duration BACKDATE = Duration.ofSeconds(60);
  public static final Duration LIFETIME = Duration.ofMinutes(9);

  private final long appId;
  private final String issuer;
  private final RSASSASigner signer;

  public AppCredentials(long appId, String clientIdOrNull, RSAPrivateKey key) {
    this.appId = appId;
    this.issuer =
        clientIdOrNull == null || clientIdOrNull.isBlank() ? Long.toString(appId) : clientIdOrNull;
    this.signer = new RSASSASigner(key);
  }

  public long appId() {
    return appId;
  }

  public String issuer() {
    return issuer;
  }

  /** A fresh App JWT (a secret: never log it). */
  public String mintJwt(Instant now) {
    JWTClaimsSet claims =
        new JWTClaimsSet.Builder()
            .issuer(issuer)
            .issueTime(Date.from(now.minus(BACKDATE)))
            .expirationTime(Date.from(now.plus(LIFETIME)))
            .build();
    SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.RS256), claims);
    try {
      jwt.sign(signer);
    } catch (JOSEException e) {
      throw new IllegalStateException("cannot sign the App JWT for App " + appId);
    }
    return jwt.serialize();
  }

  @Override
  public String toString() {
    return "AppCredentials[appId=" + appId + ", issuer=" + issuer + ", key=<redacted>]";
  }
}
