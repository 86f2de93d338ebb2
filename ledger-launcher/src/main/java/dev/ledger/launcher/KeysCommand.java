package dev.ledger.launcher;

import dev.ledger.api.ApiKeyStore;
import dev.ledger.api.Principal;
import dev.ledger.api.Role;
import dev.ledger.domain.Text;
import dev.ledger.kafka.LedgerConfig;
import org.postgresql.ds.PGSimpleDataSource;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;

/**
 * {@code ./ledger keys create|list|revoke}: manages the API keys in the ledger's PostgreSQL directly,
 * as the admin endpoints do, so that the first keys can be made without a key. A revocation holds on
 * every API instance within about a second (each reloads the keys every second).
 */
@Command(name = "keys",
        mixinStandardHelpOptions = true,
        subcommands = CommandLine.HelpCommand.class,
        description = {
                "Creates, lists and revokes the API keys of the HTTP API.",
                "Uses the PostgreSQL of the `./ledger dev` running on the data directory, or the one named by",
                "LEDGER_DB_URL (with LEDGER_KAFKA_BOOTSTRAP_SERVERS) for an external cluster."})
public final class KeysCommand {
    private static final int MAX_NAME_CODE_POINTS = 128;

    @Spec
    CommandSpec spec;

    @Option(names = "--data-dir", paramLabel = "DIR", defaultValue = ".ledger-data", scope = ScopeType.INHERIT,
            description = "Data directory of the running `./ledger dev` (default: ${DEFAULT-VALUE}).")
    Path dataDir;

    private final LedgerConfig fixedConfig;

    public KeysCommand() {
        this(null);
    }

    /** For tests: this ledger's keys instead of finding a ledger. */
    KeysCommand(LedgerConfig config) {
        this.fixedConfig = config;
    }

    @Command(name = "create", mixinStandardHelpOptions = true,
            description = "Creates a key and prints its secret, this once: only its hash is kept.")
    int create(@Option(names = "--role", required = true, paramLabel = "ROLE",
                       description = "admin, payments or read") String roleName,
               @Option(names = "--name", required = true, paramLabel = "NAME",
                       description = "What the key is for, shown in lists") String name,
               @Option(names = "--tenant", paramLabel = "PREFIX",
                       description = "Confine the key to the account and transfer ids that start with PREFIX") String tenant) {
        Role role = Role.parse(roleName).orElseThrow(() ->
                new ParameterException(spec.commandLine(), "--role must be one of admin, payments, read"));
        String nameProblem = Text.problem(name, 1, MAX_NAME_CODE_POINTS);
        if (nameProblem != null) throw new ParameterException(spec.commandLine(), "--name " + nameProblem);
        if (tenant != null && !Principal.TENANT.matcher(tenant).matches()) {
            throw new ParameterException(spec.commandLine(), "--tenant must be the start of an id: " + Principal.TENANT.pattern());
        }
        ApiKeyStore.CreatedKey created = store().create(name, role, tenant);
        PrintWriter out = spec.commandLine().getOut();
        out.printf("Created %s (%s, role %s%s). Its secret, shown this once:%n%s%n", created.principal().keyId(), name,
                role.wireName(), tenant == null ? "" : ", tenant " + tenant, created.apiKey());
        out.flush();
        return 0;
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "Lists every key, without secrets.")
    int list() {
        PrintWriter out = spec.commandLine().getOut();
        out.printf("%-20s  %-8s  %-22s  %-24s  %s%n", "KEY ID", "ROLE", "TENANT", "CREATED", "NAME");
        for (ApiKeyStore.StoredKey key : store().list()) {
            Principal p = key.principal();
            out.printf("%-20s  %-8s  %-22s  %-24s  %s%s%n", p.keyId(), p.role().wireName(),
                    p.tenant() == null ? "-" : p.tenant(), key.createdAt(), p.name(),
                    key.revokedAt() == null ? "" : "  (revoked " + key.revokedAt() + ")");
        }
        out.flush();
        return 0;
    }

    @Command(name = "revoke", mixinStandardHelpOptions = true,
            description = "Revokes a key: every API instance refuses it within about a second.")
    int revoke(@Parameters(paramLabel = "KEY_ID", description = "as shown by `keys list`") String keyId) {
        if (!store().revoke(keyId)) {
            spec.commandLine().getErr().println("ledger keys revoke: no key " + keyId);
            return 1;
        }
        spec.commandLine().getOut().println("Revoked " + keyId + ".");
        spec.commandLine().getOut().flush();
        return 0;
    }

    private ApiKeyStore store() {
        LedgerConfig config = fixedConfig != null ? fixedConfig : LedgerTarget.find(dataDir, System.getenv()).config();
        var dataSource = new PGSimpleDataSource();
        dataSource.setURL(config.jdbcUrl());
        dataSource.setUser(config.dbUser());
        dataSource.setPassword(config.dbPassword());
        var store = new ApiKeyStore(dataSource);
        store.migrate(); // a ledger that never started yet still gets its keys' tables
        return store;
    }
}
