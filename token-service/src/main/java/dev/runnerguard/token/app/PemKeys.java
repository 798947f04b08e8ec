package dev.runnerguard.token.app;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.interfaces.RSAPrivateKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.RSAPublicKeySpec;
import java.util.Base64;

/** Parses an RSA private key in PKCS#1 ("BEGIN RSA PRIVATE KEY") or PKCS#8 PEM. */
public final class PemKeys {
  private PemKeys() {}

  /**
   * @throws IllegalArgumentException with a message that never contains key material
   */
  public static RSAPrivateKey parsePrivateKey(String pem) {
    boolean pkcs1;
    String begin;
    String end;
    if (pem.contains("-----BEGIN RSA PRIVATE KEY-----")) {
      pkcs1 = true;
      begin = "-----BEGIN RSA PRIVATE KEY-----";
      end = "-----END RSA PRIVATE KEY-----";
    } else if (pem.contains("-----BEGIN PRIVATE KEY-----")) {
      pkcs1 = false;
      begin = "-----BEGIN PRIVATE KEY-----";
      end = "-----END PRIVATE KEY-----";
    } else {
      throw new IllegalArgumentException(
          "the App private key is not a PEM RSA private key (PKCS#1 or PKCS#8)");
    }
    int b = pem.indexOf(begin) + begin.length();
    int e = pem.indexOf(end, b);
    if (e < 0) {
      throw new IllegalArgumentException("the App private key PEM has no END line");
    }
    byte[] der;
    try {
      der = Base64.getMimeDecoder().decode(pem.substring(b, e).replaceAll("\\s", ""));
    } catch (IllegalArgumentException x) {
      throw new IllegalArgumentException("the App private key PEM body is not valid base64");
    }
    byte[] pkcs8 = pkcs1 ? wrapPkcs1(der) : der;
    try {
      return (RSAPrivateKey)
          KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
    } catch (GeneralSecurityException | ClassCastException x) {
      throw new IllegalArgumentException("the App private key is not a valid RSA private key");
    }
  }

  /** The public half (for tests and the JWK thumbprint). */
  public static RSAPublicKey publicKeyOf(RSAPrivateKey key) {
    if (!(key instanceof RSAPrivateCrtKey crt)) {
      throw new IllegalArgumentException("the App private key has no public exponent");
    }
    try {
      return (RSAPublicKey)
          KeyFactory.getInstance("RSA")
              .generatePublic(new RSAPublicKeySpec(crt.getModulus(), crt.getPublicExponent()));
    } catch (GeneralSecurityException x) {
      throw new IllegalArgumentException("cannot derive the App public key");
    }
  }

  /** PKCS#8 PrivateKeyInfo around a PKCS#1 RSAPrivateKey. */
  static byte[] wrapPkcs1(byte[] pkcs1) {
    byte[] algorithm = {
      0x30,
      0x0d,
      0x06,
      0x09,
      0x2a,
      (byte) 0x86,
      0x48,
      (byte) 0x86,
      (byte) 0xf7,
      0x0d,
      0x01,
      0x01,
      0x01,
      0x05,
      0x00
    };
    byte[] version = {0x02, 0x01, 0x00};
    byte[] octet = tlv(0x04, pkcs1);
    byte[] body = new byte[version.length + algorithm.length + octet.length];
    System.arraycopy(version, 0, body, 0, version.length);
    System.arraycopy(algorithm, 0, body, version.length, algorithm.length);
    System.arraycopy(octet, 0, body, version.length + algorithm.length, octet.length);
    return tlv(0x30, body);
  }

  private static byte[] tlv(int tag, byte[] value) {
    int len = value.length;
    byte[] lenBytes;
    if (len < 0x80) {
      lenBytes = new byte[] {(byte) len};
    } else if (len < 0x100) {
      lenBytes = new byte[] {(byte) 0x81, (byte) len};
    } else if (len < 0x10000) {
      lenBytes = new byte[] {(byte) 0x82, (byte) (len >> 8), (byte) len};
    } else {
      lenBytes = new byte[] {(byte) 0x83, (byte) (len >> 16), (byte) (len >> 8), (byte) len};
    }
    byte[] out = new byte[1 + lenBytes.length + len];
    out[0] = (byte) tag;
    System.arraycopy(lenBytes, 0, out, 1, lenBytes.length);
    System.arraycopy(value, 0, out, 1 + lenBytes.length, len);
    return out;
  }
}
