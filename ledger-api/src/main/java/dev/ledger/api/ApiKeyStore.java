package dev.ledger.api;

import org.flywaydb.core.Flyway;

import javax.sql.DataSource;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The API keys, in PostgreSQL's {@code auth} schema (migrations in {@code db/auth}). PostgreSQL rather
 * than events in the ledger: keys are configuration, not money; a revocation must be visible to every
 * instance at once, which a table read answers and a log would answer only after each instance has
 * consumed it; and a revoked key's secret hash must not stay forever in a log kept forever. The
 * schema is apart from the read model's, which a rebuild replaces.
 */
public final class ApiKeyStore {
    public static final String SCHEMA = "auth";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final DataSource dataSource;

    public ApiKeyStore(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** A key as listed: everything but the secret, which is not kept. */
    public record StoredKey(Principal principal, Instant createdAt, Instant revokedAt) {
    }

    /** A key just created: the only time its secret is known. */
    public record CreatedKey(Principal principal, String apiKey) {
    }

    /** Creates the schema if needed and applies the pending migrations. */
    public void migrate() {
        Flyway.configure()
                .dataSource(dataSource)
                .schemas(SCHEMA)
                .createSchemas(true)
                .locations("classpath:db/auth")
                .load()
                .migrate();
    }

    public CreatedKey create(String name, Role role, String tenant) {
        return insert(name, role, tenant, ApiKeySecret.generate());
    }

    /**
     * On the very first start (no key was ever created), creates the first admin key: the operator's
     * {@code configuredSecret} when given, else a generated one, which is returned so that it can be
     * shown once. The table is locked meanwhile, so instances starting together create one key.
     *
     * @return the generated secret; empty when a key existed already or the configured one was used
     */
    public Optional<String> bootstrap(String configuredSecret) {
        String secret = configuredSecret != null ? configuredSecret : ApiKeySecret.generate();
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                s.execute("LOCK TABLE auth.api_keys IN SHARE ROW EXCLUSIVE MODE");
                try (ResultSet any = s.executeQuery("SELECT 1 FROM auth.api_keys LIMIT 1")) {
                    if (any.next()) {
                        c.rollback();
                        return Optional.empty();
                    }
                }
                insert(c, new Principal(newKeyId(), "bootstrap admin", Role.ADMIN, null), secret);
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new IllegalStateException("could not create the first admin key: " + e.getMessage(), e);
        }
        return configuredSecret != null ? Optional.empty() : Optional.of(secret);
    }

    /** Every key, revoked ones too, oldest first. */
    public List<StoredKey> list() {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement();
             ResultSet rows = s.executeQuery("""
                     SELECT key_id, name, role, tenant, created_at, revoked_at FROM auth.api_keys
                     ORDER BY created_at, key_id""")) {
            var keys = new ArrayList<StoredKey>();
            while (rows.next()) {
                var revoked = rows.getTimestamp("revoked_at");
                keys.add(new StoredKey(principal(rows), rows.getTimestamp("created_at").toInstant(),
                        revoked == null ? null : revoked.toInstant()));
            }
            return keys;
        } catch (SQLException e) {
            throw unavailable("listing the API keys failed", e);
        }
    }

    /** @return false when no such key exists; revoking a revoked key again is true and changes nothing */
    public boolean revoke(String keyId) {
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement("""
                UPDATE auth.api_keys SET revoked_at = coalesce(revoked_at, now()) WHERE key_id = ?""")) {
            s.setString(1, keyId);
            return s.executeUpdate() == 1;
        } catch (SQLException e) {
            throw unavailable("revoking an API key failed", e);
        }
    }

    /** The keys that authenticate, by the SHA-256 of their secret. */
    public Map<String, Principal> activeKeys() {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement();
             ResultSet rows = s.executeQuery("""
                     SELECT key_id, name, role, tenant, secret_sha256 FROM auth.api_keys WHERE revoked_at IS NULL""")) {
            var keys = new HashMap<String, Principal>();
            while (rows.next()) keys.put(rows.getString("secret_sha256"), principal(rows));
            return keys;
        } catch (SQLException e) {
            throw unavailable("reading the API keys failed", e);
        }
    }

    private CreatedKey insert(String name, Role role, String tenant, String secret) {
        var principal = new Principal(newKeyId(), name, role, tenant);
        try (Connection c = dataSource.getConnection()) {
            insert(c, principal, secret);
        } catch (SQLException e) {
            throw unavailable("creating an API key failed", e);
        }
        return new CreatedKey(principal, secret);
    }

    private static void insert(Connection c, Principal principal, String secret) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("""
                INSERT INTO auth.api_keys (key_id, name, role, tenant, secret_sha256) VALUES (?, ?, ?, ?, ?)""")) {
            s.setString(1, principal.keyId());
            s.setString(2, principal.name());
            s.setString(3, principal.role().wireName());
            s.setString(4, principal.tenant());
            s.setString(5, ApiKeySecret.sha256Hex(secret));
            s.executeUpdate();
        }
    }

    private static Principal principal(ResultSet row) throws SQLException {
        String roleName = row.getString("role");
        Role role = Role.parse(roleName).orElseThrow(() -> new IllegalStateException("unknown role in auth.api_keys: " + roleName));
        return new Principal(row.getString("key_id"), row.getString("name"), role, row.getString("tenant"));
    }

    /** The API answers 503 naming what failed; a CLI also prints the cause. */
    private static UnavailableException unavailable(String what, SQLException cause) {
        return new UnavailableException(what, cause);
    }

    /** Not secret: names a key in lists, logs and the revoke call. */
    private static String newKeyId() {
        byte[] id = new byte[8];
        RANDOM.nextBytes(id);
        return "key-" + HexFormat.of().formatHex(id);
    }
}
