package dev.ledger.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ledger.domain.ClientText;
import dev.ledger.domain.Ids;
import dev.ledger.domain.Money;
import dev.ledger.domain.Text;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Currency;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * Strict validation of request bodies, read as JSON trees. Every bad field is reported, not only
 * the first; {@code null} in an optional field means absent. Every string must be acceptable
 * {@link Text}. An unknown field is refused, never ignored: a client that sends one means something
 * by it (say {@code "pending": true}) that the ledger would otherwise silently not do.
 */
final class RequestValidator {
    static final int MAX_BATCH_SIZE = 1000;
    /** An unknown field's name is echoed in the error only up to this many code points. */
    static final int MAX_ECHOED_FIELD_NAME = 128;
    private static final String TRANSFERS = "transfers";

    private static final Pattern CURRENCY_CODE = Pattern.compile("[A-Z]{3}");

    private RequestValidator() {
    }

    static Validated<OpenAccountRequest> openAccount(JsonNode body) {
        var fields = new Fields(body);
        String accountId = fields.id("accountId", false);
        Currency currency = fields.currency("currency");
        long overdraftLimit = fields.integer("overdraftLimit", 0L, 0);
        boolean unlimited = fields.bool("unlimitedOverdraft", false);
        Map<String, String> metadata = fields.metadata("metadata");
        return fields.result(() -> new OpenAccountRequest(accountId, currency, overdraftLimit, unlimited, metadata));
    }

    static Validated<TransferBody> transfer(JsonNode body, boolean transferIdRequired) {
        var fields = new Fields(body);
        String transferId = fields.id("transferId", transferIdRequired);
        String debit = fields.id("debitAccountId", true);
        String credit = fields.id("creditAccountId", true);
        long amount = fields.integer("amount", null, 1);
        Currency currency = fields.currency("currency");
        String reference = fields.reference("reference");
        Map<String, String> metadata = fields.metadata("metadata");
        if (debit != null && debit.equals(credit)) fields.error("creditAccountId", "must differ from debitAccountId");
        return fields.result(() -> new TransferBody(transferId, debit, credit, amount, currency, reference, metadata));
    }

    /** {@code POST /v1/api-keys}: a name for people, a role, and optionally a tenant (an id prefix). */
    static Validated<ApiKeyRequest> apiKey(JsonNode body) {
        var fields = new Fields(body);
        String name = fields.text("name", ApiKeyRequest.MAX_NAME_CODE_POINTS);
        String roleName = fields.text("role", 16);
        Role role = roleName == null ? null : Role.parse(roleName).orElse(null);
        if (roleName != null && role == null) fields.error("role", "must be one of admin, payments, read");
        String tenant = fields.optionalText("tenant", Principal.MAX_TENANT_LENGTH);
        if (tenant != null && !Principal.TENANT.matcher(tenant).matches()) {
            fields.error("tenant", "must be the start of an id: " + Principal.TENANT.pattern());
        }
        return fields.result(() -> new ApiKeyRequest(name, role, tenant));
    }

    /** The items of a batch; each is validated on its own so that one bad item does not sink the rest. */
    static Validated<List<JsonNode>> batch(JsonNode body) {
        var errors = new ArrayList<FieldError>();
        JsonNode transfers = body.get(TRANSFERS);
        if (transfers == null || transfers.isNull()) errors.add(new FieldError(TRANSFERS, "is required"));
        else if (!transfers.isArray()) errors.add(new FieldError(TRANSFERS, "must be an array"));
        else if (transfers.isEmpty() || transfers.size() > MAX_BATCH_SIZE) {
            errors.add(new FieldError(TRANSFERS, "must hold 1 to " + MAX_BATCH_SIZE + " transfers"));
        }
        errors.addAll(unknownFields(body, Set.of(TRANSFERS)));
        if (!errors.isEmpty()) return Validated.invalid(errors);
        var items = new ArrayList<JsonNode>(transfers.size());
        transfers.forEach(items::add);
        return Validated.ok(items);
    }

    static Validated<String> pathId(String field, String value) {
        String problem = idProblem(value);
        return problem == null ? Validated.ok(value) : Validated.invalid(field, problem);
    }

    /** The text rule's reason first (it names the bad character), else the id pattern's. */
    private static String idProblem(String id) {
        String text = Text.problem(id);
        if (text != null) return text;
        return Ids.isValid(id) ? null : "must match " + Ids.ID.pattern();
    }

    /**
     * An error for each field of {@code node} not in {@code known}. A name that is not acceptable
     * text, or is very long, is not echoed: the error names the object it is in instead.
     */
    private static List<FieldError> unknownFields(JsonNode node, Set<String> known) {
        var errors = new ArrayList<FieldError>();
        for (var field : node.properties()) {
            String name = field.getKey();
            if (known.contains(name)) continue;
            String problem = Text.problem(name, 1, MAX_ECHOED_FIELD_NAME);
            errors.add(problem == null
                    ? new FieldError(name, "is not a field of this request")
                    : new FieldError("body", "holds a field this request does not have, whose name " + problem));
        }
        return errors;
    }

    /** Reads the fields of one object, collecting an error for each bad one and for each field it never read. */
    private static final class Fields {
        private final JsonNode node;
        private final Set<String> read = new HashSet<>();
        private final List<FieldError> errors = new ArrayList<>();

        Fields(JsonNode node) {
            this.node = node;
        }

        void error(String field, String reason) {
            errors.add(new FieldError(field, reason));
        }

        <T> Validated<T> result(Supplier<T> value) {
            errors.addAll(unknownFields(node, read));
            return errors.isEmpty() ? Validated.ok(value.get()) : Validated.invalid(errors);
        }

        private JsonNode present(String field) {
            read.add(field);
            JsonNode value = node.get(field);
            return value == null || value.isNull() ? null : value;
        }

        String id(String field, boolean required) {
            JsonNode value = present(field);
            if (value == null) {
                if (required) error(field, "is required");
                return null;
            }
            if (!value.isTextual()) {
                error(field, "must be a string");
                return null;
            }
            String problem = idProblem(value.textValue());
            if (problem != null) {
                error(field, problem);
                return null;
            }
            return value.textValue();
        }

        /** A required string of acceptable text, 1 to {@code maxCodePoints} code points. */
        String text(String field, int maxCodePoints) {
            if (node.get(field) == null || node.get(field).isNull()) {
                read.add(field);
                error(field, "is required");
                return null;
            }
            return optionalText(field, maxCodePoints);
        }

        String optionalText(String field, int maxCodePoints) {
            JsonNode value = present(field);
            if (value == null) return null;
            if (!value.isTextual()) {
                error(field, "must be a string");
                return null;
            }
            String problem = Text.problem(value.textValue(), 1, maxCodePoints);
            if (problem != null) {
                error(field, problem);
                return null;
            }
            return value.textValue();
        }

        Currency currency(String field) {
            JsonNode value = present(field);
            if (value == null) {
                error(field, "is required");
                return null;
            }
            if (!value.isTextual()) {
                error(field, "must be a string");
                return null;
            }
            String code = value.textValue();
            String problem = Text.problem(code);
            if (problem != null) {
                error(field, problem);
                return null;
            }
            if (CURRENCY_CODE.matcher(code).matches()) {
                try {
                    return Currency.getInstance(code);
                } catch (IllegalArgumentException notIso4217) {
                    // reported below
                }
            }
            error(field, "must be an ISO 4217 currency code");
            return null;
        }

        /**
         * A JSON integer from {@code min} to 2^53-1: the range every JSON client reads exactly. A
         * fraction is refused even when it is whole (2.0): an amount is never rounded or guessed.
         *
         * @param absent the value when the field is missing, or null when it is required
         */
        long integer(String field, Long absent, long min) {
            JsonNode value = present(field);
            if (value == null) {
                if (absent == null) error(field, "is required");
                return absent == null ? 0 : absent;
            }
            if (!value.isNumber()) {
                error(field, "must be a JSON integer");
                return 0;
            }
            if (!value.isIntegralNumber()) {
                error(field, "must be an integer, without a fraction or exponent");
                return 0;
            }
            if (!value.canConvertToLong()) {
                error(field, value.bigIntegerValue().signum() < 0
                        ? "must be at least " + min : "must be at most " + Money.MAX_AMOUNT);
                return 0;
            }
            long number = value.longValue();
            if (number < min) error(field, "must be at least " + min);
            else if (number > Money.MAX_AMOUNT) error(field, "must be at most " + Money.MAX_AMOUNT);
            return number;
        }

        boolean bool(String field, boolean absent) {
            JsonNode value = present(field);
            if (value == null) return absent;
            if (!value.isBoolean()) {
                error(field, "must be a boolean");
                return absent;
            }
            return value.booleanValue();
        }

        String reference(String field) {
            JsonNode value = present(field);
            if (value == null) return null;
            if (!value.isTextual()) {
                error(field, "must be a string");
                return null;
            }
            String problem = ClientText.referenceProblem(value.textValue());
            if (problem != null) {
                error(field, problem);
                return null;
            }
            return value.textValue();
        }

        Map<String, String> metadata(String field) {
            JsonNode value = present(field);
            if (value == null) return Map.of();
            if (!value.isObject()) {
                error(field, "must be an object of string values");
                return Map.of();
            }
            var metadata = new LinkedHashMap<String, String>();
            var notStrings = new ArrayList<String>();
            for (var entry : value.properties()) {
                if (!entry.getValue().isTextual()) notStrings.add(entry.getKey());
                // a value that is not a string still counts as an entry, and its key is still checked
                metadata.put(entry.getKey(), entry.getValue().isTextual() ? entry.getValue().textValue() : "");
            }
            int before = errors.size();
            ClientText.metadataViolations(field, metadata).forEach(v -> error(v.field(), v.reason()));
            for (String key : notStrings) {
                if (Text.problem(key, 1, ClientText.MAX_METADATA_KEY_CODE_POINTS) == null) {
                    error(field + "." + key, "must be a string");
                }
            }
            return errors.size() == before ? Collections.unmodifiableMap(metadata) : Map.of();
        }
    }
}
