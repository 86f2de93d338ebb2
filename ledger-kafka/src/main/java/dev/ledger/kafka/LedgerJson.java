package dev.ledger.kafka;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.ledger.domain.LedgerCommand;
import dev.ledger.domain.LedgerEvent;
import dev.ledger.domain.Outcome;
import dev.ledger.domain.account.Balances;
import dev.ledger.domain.account.AccountCommand;
import dev.ledger.domain.account.AccountEvent;
import dev.ledger.domain.transfer.TransferCommand;
import dev.ledger.domain.transfer.TransferEvent;

import java.io.IOException;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The JSON form of events and commands. The domain knows nothing of JSON: the type name in the
 * envelope is the record's simple name, and the registry below is read off the sealed interfaces,
 * so a new event type is registered by being declared. Readers tolerate unknown fields (new
 * optional fields are how a schema evolves) and upcast old versions before binding.
 */
public final class LedgerJson {
    /** The version every type is written at today; an older one is upcast on read. */
    public static final int SCHEMA_VERSION = 1;

    public static final ObjectMapper MAPPER = JsonMapper.builder()
            .addModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            // an amount is never rounded or parsed from a string: "2500" and 2500.5 are unreadable
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
            .serializationInclusion(JsonInclude.Include.NON_NULL)
            // derived values are recomputed on read, never stored
            .addMixIn(Outcome.class, IgnoreDerived.class)
            .addMixIn(Balances.class, IgnoreDerived.class)
            .build();

    @JsonIgnoreProperties({"final", "settled"})
    private abstract static class IgnoreDerived {
    }

    private static final Map<String, Class<? extends LedgerEvent>> EVENT_TYPES =
            registry(AccountEvent.class, TransferEvent.class);
    private static final Map<String, Class<? extends LedgerCommand>> COMMAND_TYPES =
            registry(AccountCommand.class, TransferCommand.class);

    private LedgerJson() {
    }

    public static String typeName(Object eventOrCommand) {
        return eventOrCommand.getClass().getSimpleName();
    }

    public static Map<String, Class<? extends LedgerEvent>> eventTypes() {
        return EVENT_TYPES;
    }

    public static Map<String, Class<? extends LedgerCommand>> commandTypes() {
        return COMMAND_TYPES;
    }

    public static byte[] writeEvent(EventEnvelope e) {
        ObjectNode node = MAPPER.createObjectNode()
                .put("eventId", e.eventId())
                .put("type", e.type())
                .put("schemaVersion", e.schemaVersion())
                .put("aggregateId", e.aggregateId())
                .put("seq", e.seq())
                .put("occurredAt", e.occurredAt().toString())
                .put("commandId", e.commandId())
                .put("correlationId", e.correlationId())
                .put("causationId", e.causationId());
        node.set("data", MAPPER.valueToTree(e.event()));
        return bytes(node);
    }

    public static EventEnvelope readEvent(byte[] json) {
        JsonNode node = tree(json);
        String type = text(node, "type");
        int version = schemaVersion(node);
        Class<? extends LedgerEvent> cls = known(EVENT_TYPES, type, "event");
        LedgerEvent event = bind(Upcaster.upcastEvent(type, version, node.path("data")), cls);
        JsonNode seq = node.get("seq");
        if (seq == null || !seq.canConvertToExactIntegral() || seq.asLong() < 1) {
            throw new UnreadableException("missing or invalid 'seq'", null);
        }
        return new EventEnvelope(text(node, "eventId"), type, version, text(node, "aggregateId"),
                seq.asLong(), instant(node, "occurredAt"), text(node, "commandId"),
                text(node, "correlationId"), text(node, "causationId"), event);
    }

    public static byte[] writeCommand(CommandEnvelope c) {
        return bytes(commandTree(c));
    }

    static ObjectNode commandTree(CommandEnvelope c) {
        ObjectNode node = MAPPER.createObjectNode()
                .put("commandId", c.commandId())
                .put("type", c.type())
                .put("schemaVersion", SCHEMA_VERSION)
                .put("issuedAt", c.issuedAt().toString())
                .put("correlationId", c.correlationId())
                .put("causationId", c.causationId());
        if (c.originCommandId() != null) node.put("originCommandId", c.originCommandId());
        node.set("data", MAPPER.valueToTree(c.command()));
        return node;
    }

    /** @throws UnreadableException when the bytes are not a command this ledger knows */
    public static CommandEnvelope readCommand(byte[] json) {
        return readCommand(tree(json));
    }

    static CommandEnvelope readCommand(JsonNode node) {
        if (!node.isObject()) throw new UnreadableException("not a JSON object", null);
        String type = text(node, "type");
        int version = schemaVersion(node);
        Class<? extends LedgerCommand> cls = known(COMMAND_TYPES, type, "command");
        LedgerCommand command = bind(Upcaster.upcastCommand(type, version, node.path("data")), cls);
        return new CommandEnvelope(text(node, "commandId"), type, instant(node, "issuedAt"),
                text(node, "correlationId"), text(node, "causationId"), command,
                node.hasNonNull("originCommandId") ? text(node, "originCommandId") : null);
    }

    public static byte[] writeValue(Object value) {
        try {
            return MAPPER.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write " + value.getClass().getSimpleName(), e);
        }
    }

    public static <T> T readValue(byte[] json, Class<T> type) {
        try {
            return MAPPER.readValue(json, type);
        } catch (IOException e) {
            throw new UnreadableException("not a readable " + type.getSimpleName() + ": " + e.getMessage(), e);
        }
    }

    private static <T> T bind(JsonNode data, Class<T> cls) {
        try {
            T value = MAPPER.treeToValue(data, cls);
            if (value == null) throw new UnreadableException("no data for " + cls.getSimpleName(), null);
            RequiredFields.check(value);
            return value;
        } catch (JsonProcessingException | IllegalArgumentException | NullPointerException e) {
            throw new UnreadableException("invalid " + cls.getSimpleName() + ": " + e.getMessage(), e);
        }
    }

    static JsonNode tree(byte[] json) {
        try {
            JsonNode node = MAPPER.readTree(json);
            if (node == null || !node.isObject()) throw new UnreadableException("not a JSON object", null);
            return node;
        } catch (IOException e) {
            throw new UnreadableException("malformed JSON: " + e.getMessage(), e);
        }
    }

    private static int schemaVersion(JsonNode node) {
        JsonNode v = node.get("schemaVersion");
        if (v == null || !v.isIntegralNumber() || !v.canConvertToInt()) {
            throw new UnreadableException("missing or invalid 'schemaVersion'", null);
        }
        return v.asInt();
    }

    private static Instant instant(JsonNode node, String field) {
        try {
            return Instant.parse(text(node, field));
        } catch (java.time.format.DateTimeParseException e) {
            throw new UnreadableException("invalid timestamp '" + field + "': " + e.getMessage(), e);
        }
    }

    private static String text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        if (v == null || !v.isTextual()) throw new UnreadableException("missing text field '" + field + "'", null);
        return v.asText();
    }

    private static <T> Class<? extends T> known(Map<String, Class<? extends T>> types, String type, String what) {
        Class<? extends T> cls = types.get(type);
        if (cls == null) throw new UnreadableException("unknown " + what + " type '" + type + "'", null);
        return cls;
    }

    static byte[] bytes(JsonNode node) {
        try {
            return MAPPER.writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    @SuppressWarnings("unchecked")
    @SafeVarargs
    private static <T> Map<String, Class<? extends T>> registry(Class<? extends T>... sealedRoots) {
        return Stream.of(sealedRoots)
                .flatMap(root -> Arrays.stream(root.getPermittedSubclasses()))
                .map(cls -> (Class<? extends T>) cls)
                .collect(Collectors.toUnmodifiableMap(Class::getSimpleName, Function.identity()));
    }

    /** A record that is not a valid event or command: never skipped silently by a reader. */
    public static final class UnreadableException extends RuntimeException {
        public UnreadableException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
