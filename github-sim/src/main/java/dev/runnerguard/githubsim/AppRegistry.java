package dev.runnerguard.githubsim;

import io.quarkus.runtime.Startup;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.RSAPublicKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.jboss.logging.Logger;

/**
 * GitHub Apps known to the simulator (id, client id, public key), their installations (one per org)
 * and the installation tokens issued. Optionally generates one App at start and writes its private
 * key (PKCS#8 PEM, mode 600) for the demo token-service; the private key is never logged nor
 * returned.
 */
@Startup
@ApplicationScoped
public class AppRegistry {

  private static final Logger LOG = Logger.getLogger(AppRegistry.class);
  private static final String ALNUM =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

  public record App(long appId, String clientId, RSAPublicKey publicKey, String publicKeyPem) {}

  public record Installation(long id, long appId, String org) {}

  public record InstallationToken(long installationId, Instant expiresAt) {}

  @Inject SimConfig config;

  private final SecureRandom random = new SecureRandom();
  private final Map<Long, App> apps = new ConcurrentHashMap<>();
  private final Map<Long, Installation> installations = new ConcurrentHashMap<>();
  private final Map<String, InstallationToken> tokens = new ConcurrentHashMap<>();
  private final AtomicLong nextInstallationId = new AtomicLong(60_000_001L);
  private final AtomicLong nextAppId = new AtomicLong(2_000_001L);

  @PostConstruct
  void init() {
    if (config.generateApp()) {
      try {
        generatedApp();
      } catch (IOException | GeneralSecurityException e) {
        throw new IllegalStateException(
            "github-sim: cannot create the App key file " + config.appKeyFile() + ": " + e, e);
      }
    }
  }

  private void generatedApp() throws IOException, GeneralSecurityException {
    Path file = Path.of(config.appKeyFile()).toAbsolutePath();
    RSAPublicKey publicKey;
    if (Files.isRegularFile(file)) {
      publicKey = publicKeyOf(Files.readString(file, StandardCharsets.US_ASCII));
      LOG.infof("github-sim: reusing the App key in %s", file);
    } else {
      KeyPairGenerator gen = KeyPairGenerator.getInstance("RSA");
      gen.initialize(2048, random);
      KeyPair pair = gen.generateKeyPair();
      writePrivate(file, pair.getPrivate().getEncoded());
      publicKey = (RSAPublicKey) pair.getPublic();
      LOG.infof("github-sim: generated an App key pair; private key written to %s", file);
    }
    String clientId = "Iv23li" + randomString(14);
    App app = register(config.appId(), clientId, publicKey, config.orgs());
    writeAppInfo(file.resolveSibling("app.json"), app);
  }

  private static RSAPublicKey publicKeyOf(String pkcs8Pem) throws GeneralSecurityException {
    byte[] der = pemBody(pkcs8Pem, "PRIVATE KEY");
    KeyFactory kf = KeyFactory.getInstance("RSA");
    RSAPrivateCrtKey key = (RSAPrivateCrtKey) kf.generatePrivate(new PKCS8EncodedKeySpec(der));
    return (RSAPublicKey)
        kf.generatePublic(new RSAPublicKeySpec(key.getModulus(), key.getPublicExponent()));
  }

  private static void writePrivate(Path file, byte[] pkcs8) throws IOException {
    Files.createDirectories(file.getParent());
    String pem =
        "-----BEGIN PRIVATE KEY-----\n"
            + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(pkcs8)
            + "\n-----END PRIVATE KEY-----\n";
    Path tmp =
        Files.createTempFile(
            file.getParent(),
            ".app-key",
            ".tmp",
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    try {
      Files.writeString(tmp, pem, StandardCharsets.US_ASCII);
      try {
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
      }
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  private void writeAppInfo(Path file, App app) {
    StringBuilder json = new StringBuilder();
    json.append("{\"app_id\":")
        .append(app.appId())
        .append(",\"client_id\":\"")
        .append(app.clientId())
        .append("\",\"installations\":[");
    List<Installation> own = installationsOf(app.appId());
    for (int i = 0; i < own.size(); i++) {
      json.append(i == 0 ? "" : ",")
          .append("{\"id\":")
          .append(own.get(i).id())
          .append(",\"org\":\"")
          .append(own.get(i).org())
          .append("\"}");
    }
    json.append("]}\n");
    try {
      Files.writeString(file, json.toString(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Registers an App with its public key and installs it on each org. */
  public synchronized App register(
      Long appId, String clientId, RSAPublicKey publicKey, List<String> orgs) {
    long id = appId != null ? appId : nextAppId.getAndIncrement();
    if (apps.containsKey(id)) {
      throw ApiError.control(409, "conflict", "an App with id " + id + " is registered");
    }
    String cid = clientId != null ? clientId : "Iv23li" + randomString(14);
    if (findByIssuer(cid).isPresent()) {
      throw ApiError.control(409, "conflict", "an App with client id " + cid + " is registered");
    }
    App app = new App(id, cid, publicKey, publicPem(publicKey));
    apps.put(id, app);
    for (String org : orgs) {
      long inst = nextInstallationId.getAndIncrement();
      installations.put(inst, new Installation(inst, id, org));
    }
    return app;
  }

  public static RSAPublicKey parsePublicKeyPem(String pem) {
    try {
      byte[] der = pemBody(pem, "PUBLIC KEY");
      return (RSAPublicKey)
          KeyFactory.getInstance("RSA").generatePublic(new X509EncodedKeySpec(der));
    } catch (GeneralSecurityException | RuntimeException e) {
      throw ApiError.control(
          400,
          "bad_public_key",
          "public_key_pem must be an RSA public key in PEM (-----BEGIN PUBLIC KEY-----)");
    }
  }

  private static byte[] pemBody(String pem, String type) {
    String begin = "-----BEGIN " + type + "-----";
    String end = "-----END " + type + "-----";
    int b = pem.indexOf(begin);
    int e = pem.indexOf(end);
    if (b < 0 || e < b) {
      throw new IllegalArgumentException("not a " + type + " PEM");
    }
    return Base64.getMimeDecoder().decode(pem.substring(b + begin.length(), e));
  }

  private static String publicPem(RSAPublicKey key) {
    return "-----BEGIN PUBLIC KEY-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
            .encodeToString(key.getEncoded())
        + "\n-----END PUBLIC KEY-----\n";
  }

  public Optional<JwtVerifier.AppKey> findByIssuer(String iss) {
    for (App app : apps.values()) {
      if (String.valueOf(app.appId()).equals(iss) || app.clientId().equals(iss)) {
        return Optional.of(new JwtVerifier.AppKey(app.appId(), app.clientId(), app.publicKey()));
      }
    }
    return Optional.empty();
  }

  public List<App> apps() {
    return new ArrayList<>(apps.values());
  }

  public List<Installation> installationsOf(long appId) {
    return installations.values().stream()
        .filter(i -> i.appId() == appId)
        .sorted((a, b) -> Long.compare(a.id(), b.id()))
        .toList();
  }

  public Optional<Installation> installation(long id) {
    return Optional.ofNullable(installations.get(id));
  }

  /** The first installation on an org (webhook payloads name it). */
  public Optional<Installation> installationForOrg(String org) {
    return installations.values().stream()
        .filter(i -> i.org().equalsIgnoreCase(org))
        .min((a, b) -> Long.compare(a.id(), b.id()));
  }

  public boolean orgKnown(String org) {
    return installationForOrg(org).isPresent();
  }

  /** Issues a 1 h installation token: {@code ghs_} and 36 random characters. */
  public Map.Entry<String, InstallationToken> issueToken(long installationId, Instant now) {
    String token = "ghs_" + randomString(36);
    InstallationToken t = new InstallationToken(installationId, now.plusSeconds(3600));
    tokens.put(token, t);
    return Map.entry(token, t);
  }

  /** The installation a (non-expired) token belongs to. */
  public Optional<Installation> installationOfToken(String token, Instant now) {
    if (token == null) {
      return Optional.empty();
    }
    InstallationToken t = tokens.get(token);
    if (t == null || !t.expiresAt().isAfter(now)) {
      return Optional.empty();
    }
    return installation(t.installationId());
  }

  public Map<String, Object> describe(App app) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("app_id", app.appId());
    m.put("client_id", app.clientId());
    m.put("public_key_pem", app.publicKeyPem());
    m.put(
        "installations",
        installationsOf(app.appId()).stream()
            .map(i -> Map.<String, Object>of("id", i.id(), "org", i.org()))
            .toList());
    return m;
  }

  String randomString(int n) {
    StringBuilder sb = new StringBuilder(n);
    for (int i = 0; i < n; i++) {
      sb.append(ALNUM.charAt(random.nextInt(ALNUM.length())));
    }
    return sb.toString();
  }

  static String lower(String s) {
    return s.toLowerCase(Locale.ROOT);
  }
}
