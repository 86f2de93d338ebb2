package dev.ledger.domain;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The free text a client attaches to what it asks for (a transfer's reference, the metadata of an
 * account or a transfer) and its bounds. The API checks it on every request and the command
 * processor again on every command it reads, so that a producer that bypasses the API cannot
 * record what the API would refuse.
 */
public final class ClientText {
    public static final int MAX_REFERENCE_CODE_POINTS = 512;
    public static final int MAX_METADATA_ENTRIES = 16;
    public static final int MAX_METADATA_KEY_CODE_POINTS = 128;
    public static final int MAX_METADATA_VALUE_CODE_POINTS = 1024;

    /** One refused part: {@code field} is where a client finds it, such as {@code metadata.customer}. */
    public record Violation(String field, String reason) {
    }

    private ClientText() {
    }

    /** @return why the reference (null when absent) is refused, or null */
    public static String referenceProblem(String reference) {
        return reference == null ? null : Text.problem(reference, 0, MAX_REFERENCE_CODE_POINTS);
    }

    /**
     * Every refused entry of {@code metadata}. A refused key is reported under {@code field} itself,
     * never echoed: it may hold what cannot be written back.
     */
    public static List<Violation> metadataViolations(String field, Map<String, String> metadata) {
        var violations = new ArrayList<Violation>();
        if (metadata.size() > MAX_METADATA_ENTRIES) {
            violations.add(new Violation(field, "must hold at most " + MAX_METADATA_ENTRIES + " entries"));
            return violations;
        }
        metadata.forEach((key, value) -> {
            String keyProblem = key == null ? "is null" : Text.problem(key, 1, MAX_METADATA_KEY_CODE_POINTS);
            if (keyProblem != null) {
                violations.add(new Violation(field, "a key " + keyProblem));
                return;
            }
            String valueProblem = value == null ? "must be a string"
                    : Text.problem(value, 0, MAX_METADATA_VALUE_CODE_POINTS);
            if (valueProblem != null) violations.add(new Violation(field + "." + key, valueProblem));
        });
        return violations;
    }
}
