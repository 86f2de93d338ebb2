package dev.ledger.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ledger.domain.Ids;
import dev.ledger.domain.Money;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Currency;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * Strict validation of request bodies, read as JSON trees. Every bad field is reported, not only
 * the first. Unknown fields are ignored (a newer client may send more); {@code null} in an optional
 * field means absent.
 */
final class RequestValidator {
    static final int MAX_METADATA_ENTRIES = 16;
    static final int MAX_METADATA_KEY_LENGTH = 128;
    static final int MAX_METADATA_VALUE_LENGTH = 1024;
    static final int MAX_REFERENCE_LENGTH = 512;
    static final int MAX_BATCH_SIZE = 1000;

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
        String reference = fields.text("reference", MAX_REFERENCE_LENGTH);
        Map<String, String> metadata = fields.metadata("metadata");
        if (debit != null && debit.equals(credit)) fields.error("creditAccountId", "must differ from debitAccountId");
        return fields.result(() -> new TransferBody(transferId, debit, credit, amount, currency, reference, metadata));
    }

    /** The items of a batch; each is validated on its own so that one bad item does not sink the rest. */
    static Validated<List<JsonNode>> batch(JsonNode body) {
        JsonNode transfers = body.get("transfers");
        if (transfers == null || transfers.isNull()) return Validated.invalid("transfers", "is required");
        if (!transfers.isArray()) return Validated.invalid("transfers", "must be an array");
        if (transfers.isEmpty() || transfers.size() > MAX_BATCH_SIZE) {
            return Validated.invalid("transfers", "must hold 1 to " + MAX_BATCH_SIZE + " transfers");
        }
        var items = new ArrayList<JsonNode>(transfers.size());
        transfers.forEach(items::add);
        return Validated.ok(items);
    }

    static Validated<String> pathId(String field, String value) {
        return Ids.isValid(value) ? Validated.ok(value) : Validated.invalid(field, "must match " + Ids.ID.pattern());
    }

    /** Reads the fields of one object, collecting an error for each bad one. */
    private static final class Fields {
        private final JsonNode node;
        private final List<FieldError> errors = new ArrayList<>();

        Fields(JsonNode node) {
            this.node = node;
        }

        void error(String field, String reason) {
            errors.add(new FieldError(field, reason));
        }

        <T> Validated<T> result(Supplier<T> value) {
            return errors.isEmpty() ? Validated.ok(value.get()) : Validated.invalid(errors);
        }

        private JsonNode present(String field) {
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
            if (!Ids.isValid(value.textValue())) {
                error(field, "must match " + Ids.ID.pattern());
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

        String text(String field, int maxLength) {
            JsonNode value = present(field);
            if (value == null) return null;
            if (!value.isTextual()) {
                error(field, "must be a string");
                return null;
            }
            if (value.textValue().length() > maxLength) {
                error(field, "must be at most " + maxLength + " characters");
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
            if (value.size() > MAX_METADATA_ENTRIES) {
                error(field, "must hold at most " + MAX_METADATA_ENTRIES + " entries");
                return Map.of();
            }
            var metadata = new LinkedHashMap<String, String>();
            for (var entry : value.properties()) {
                String key = entry.getKey();
                JsonNode text = entry.getValue();
                if (key.isEmpty() || key.length() > MAX_METADATA_KEY_LENGTH) {
                    error(field, "keys must be 1 to " + MAX_METADATA_KEY_LENGTH + " characters");
                    return Map.of();
                }
                if (!text.isTextual()) {
                    error(field + "." + key, "must be a string");
                    continue;
                }
                if (text.textValue().length() > MAX_METADATA_VALUE_LENGTH) {
                    error(field + "." + key, "must be at most " + MAX_METADATA_VALUE_LENGTH + " characters");
                    continue;
                }
                metadata.put(key, text.textValue());
            }
            return Collections.unmodifiableMap(metadata);
        }
    }
}
