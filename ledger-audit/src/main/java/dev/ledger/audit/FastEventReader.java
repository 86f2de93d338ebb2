package dev.ledger.audit;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.ledger.domain.LedgerEvent;
import dev.ledger.domain.Reason;
import dev.ledger.domain.account.AccountEvent;
import dev.ledger.domain.account.AccountEvent.AccountClosed;
import dev.ledger.domain.account.AccountEvent.AccountCredited;
import dev.ledger.domain.account.AccountEvent.AccountDebited;
import dev.ledger.domain.account.AccountEvent.AccountOpened;
import dev.ledger.domain.account.AccountEvent.FundsReserved;
import dev.ledger.domain.account.AccountEvent.ReservationCaptured;
import dev.ledger.domain.account.AccountEvent.ReservationReleased;
import dev.ledger.domain.transfer.TransferEvent.TransferCompleted;
import dev.ledger.domain.transfer.TransferEvent.TransferInitiated;
import dev.ledger.domain.transfer.TransferEvent.TransferRejected;
import dev.ledger.kafka.EventCodec;
import dev.ledger.kafka.EventEnvelope;
import dev.ledger.kafka.LedgerJson;

import java.io.IOException;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.Currency;
import java.util.HashMap;
import java.util.Map;

/**
 * The ledger's event reader ({@link LedgerJson#readEvent}) with a fast path for the audit: a single
 * streaming pass over the canonical form that {@link LedgerJson#writeEvent} produces, instead of a JSON
 * tree, a data binding and a reflective null check per event (which made the parse most of an audit's
 * time).
 *
 * <p>The fast path only ever <em>declines</em>: it accepts a strict subset of what the ledger reads -
 * the current schema version, exactly the envelope's and the type's fields, each once, with exactly the
 * expected JSON types, a canonical UTC timestamp, nothing after the object - and builds the very same
 * records through the same constructors. Anything else (an old version to upcast, an unknown or missing
 * field, a float, a null, a duplicate, an odd timestamp) goes to {@link EventCodec#read}, which
 * decides, so an event is readable here exactly when it is readable to the ledger, and reads the same
 * ({@code FastEventReaderTest} compares them on every event type and on mutated inputs). A binary
 * event is no JSON: it goes straight to the ledger's decoder, {@link EventCodec#read}, which is fast
 * already (no tree, no binding, no reflection); the ids of a binary event are not made canonical.
 */
final class FastEventReader {
    private static final JsonFactory JSON = LedgerJson.MAPPER.getFactory();
    /** ISO 4217 codes are few: looked up once each. */
    private static final Map<String, Currency> CURRENCIES = new java.util.concurrent.ConcurrentHashMap<>();
    private static final java.util.Set<String> ACCOUNT_EVENTS = java.util.Set.copyOf(LedgerJson.eventTypes().entrySet()
            .stream().filter(e -> AccountEvent.class.isAssignableFrom(e.getValue())).map(Map.Entry::getKey).toList());

    private FastEventReader() {
    }

    /** @throws LedgerJson.UnreadableException when the ledger cannot read the bytes either */
    static EventEnvelope read(byte[] json) {
        return read(json, null);
    }

    /**
     * @param ids where account ids are made canonical (one String instance per id, which keeps millions of
     *            replayed transfers small), or null
     * @throws LedgerJson.UnreadableException when the ledger cannot read the bytes either
     */
    static EventEnvelope read(byte[] stored, Map<String, String> ids) {
        EventEnvelope fast = EventCodec.isBinary(stored) ? null : tryFast(stored, ids);
        return fast != null ? fast : EventCodec.read(stored);
    }

    /** The event, or null to let the ledger's own reader decide. */
    static EventEnvelope tryFast(byte[] json) {
        return tryFast(json, null);
    }

    static EventEnvelope tryFast(byte[] json, Map<String, String> ids) {
        try (JsonParser p = JSON.createParser(json)) {
            return envelope(p, ids);
        } catch (IOException | RuntimeException declined) {
            return null;
        }
    }

    /** Thrown (without a stack trace) where the fast path declines. */
    private static final class Decline extends RuntimeException {
        static final Decline INSTANCE = new Decline();

        private Decline() {
            super(null, null, false, false);
        }
    }

    private static EventEnvelope envelope(JsonParser p, Map<String, String> ids) throws IOException {
        if (p.nextToken() != JsonToken.START_OBJECT) throw Decline.INSTANCE;
        String eventId = null;
        String type = null;
        String aggregateId = null;
        String commandId = null;
        String correlationId = null;
        String causationId = null;
        Instant occurredAt = null;
        long seq = 0;
        boolean seqSeen = false;
        boolean versionSeen = false;
        LedgerEvent event = null;
        String name;
        while ((name = p.nextFieldName()) != null) {
            switch (name) {
                case "eventId" -> eventId = once(eventId, string(p));
                case "type" -> type = once(type, string(p));
                // an account's id (the type comes first in the canonical form), not a transfer's: those are many
                case "aggregateId" -> aggregateId = once(aggregateId,
                        ACCOUNT_EVENTS.contains(type) ? intern(string(p), ids) : string(p));
                case "commandId" -> commandId = once(commandId, string(p));
                case "correlationId" -> correlationId = once(correlationId, string(p));
                case "causationId" -> causationId = once(causationId, string(p));
                case "occurredAt" -> occurredAt = once(occurredAt, instant(string(p)));
                case "seq" -> {
                    if (seqSeen) throw Decline.INSTANCE;
                    seqSeen = true;
                    seq = longValue(p);
                }
                case "schemaVersion" -> {
                    if (versionSeen || p.nextToken() != JsonToken.VALUE_NUMBER_INT
                            || p.getNumberType() != JsonParser.NumberType.INT
                            || p.getIntValue() != LedgerJson.SCHEMA_VERSION) {
                        throw Decline.INSTANCE;
                    }
                    versionSeen = true;
                }
                case "data" -> {
                    if (event != null || type == null || p.nextToken() != JsonToken.START_OBJECT) throw Decline.INSTANCE;
                    event = data(type, aggregateId, p, ids);
                }
                default -> throw Decline.INSTANCE;
            }
        }
        if (p.currentToken() != JsonToken.END_OBJECT || p.nextToken() != null || !versionSeen || !seqSeen
                || event == null || seq < 1) {
            throw Decline.INSTANCE;
        }
        return new EventEnvelope(required(eventId), type, LedgerJson.SCHEMA_VERSION, required(aggregateId), seq,
                required(occurredAt), required(commandId), required(correlationId), required(causationId), event);
    }

    // the fields an event's data may have, one bit each
    private static final int ACCOUNT_ID = 1;
    private static final int TRANSFER_ID = 1 << 1;
    private static final int CREDIT_ACCOUNT_ID = 1 << 2;
    private static final int DEBIT_ACCOUNT_ID = 1 << 3;
    private static final int REFERENCE = 1 << 4;
    private static final int AMOUNT = 1 << 5;
    private static final int OVERDRAFT_LIMIT = 1 << 6;
    private static final int DEBIT_ACCOUNT_SEQ = 1 << 7;
    private static final int CREDIT_ACCOUNT_SEQ = 1 << 8;
    private static final int CURRENCY = 1 << 9;
    private static final int UNLIMITED_OVERDRAFT = 1 << 10;
    private static final int REASON = 1 << 11;
    private static final int METADATA = 1 << 12;
    private static final int ACCOUNTS_TOUCHED = 1 << 13;

    /**
     * The event's fields, by type: exactly the fields of its record (the reference of a transfer may be
     * absent), each once; the record's constructor does the rest, as when Jackson binds it.
     */
    private static LedgerEvent data(String type, String aggregateId, JsonParser p, Map<String, String> ids)
            throws IOException {
        String accountId = null;
        String transferId = null;
        String creditAccountId = null;
        String debitAccountId = null;
        String reference = null;
        long amount = 0;
        long overdraftLimit = 0;
        long debitAccountSeq = 0;
        long creditAccountSeq = 0;
        Currency currency = null;
        boolean unlimited = false;
        Reason reason = null;
        Map<String, String> metadata = null;
        Map<String, Long> touched = null;
        int seen = 0;
        String name;
        while ((name = p.nextFieldName()) != null) {
            int bit = switch (name) {
                case "accountId" -> {
                    accountId = intern(string(p), ids);
                    yield ACCOUNT_ID;
                }
                case "transferId" -> {
                    transferId = string(p);
                    if (transferId.equals(aggregateId)) transferId = aggregateId; // one instance for both
                    yield TRANSFER_ID;
                }
                case "creditAccountId" -> {
                    creditAccountId = intern(string(p), ids);
                    yield CREDIT_ACCOUNT_ID;
                }
                case "debitAccountId" -> {
                    debitAccountId = intern(string(p), ids);
                    yield DEBIT_ACCOUNT_ID;
                }
                case "reference" -> {
                    reference = string(p);
                    yield REFERENCE;
                }
                case "amount" -> {
                    amount = longValue(p);
                    yield AMOUNT;
                }
                case "overdraftLimit" -> {
                    overdraftLimit = longValue(p);
                    yield OVERDRAFT_LIMIT;
                }
                case "debitAccountSeq" -> {
                    debitAccountSeq = longValue(p);
                    yield DEBIT_ACCOUNT_SEQ;
                }
                case "creditAccountSeq" -> {
                    creditAccountSeq = longValue(p);
                    yield CREDIT_ACCOUNT_SEQ;
                }
                case "currency" -> {
                    currency = currency(string(p));
                    yield CURRENCY;
                }
                case "unlimitedOverdraft" -> {
                    JsonToken t = p.nextToken();
                    if (t != JsonToken.VALUE_TRUE && t != JsonToken.VALUE_FALSE) throw Decline.INSTANCE;
                    unlimited = t == JsonToken.VALUE_TRUE;
                    yield UNLIMITED_OVERDRAFT;
                }
                case "reason" -> {
                    reason = Reason.valueOf(string(p));
                    yield REASON;
                }
                case "metadata" -> {
                    metadata = stringMap(p);
                    yield METADATA;
                }
                case "accountsTouched" -> {
                    touched = longMap(p);
                    yield ACCOUNTS_TOUCHED;
                }
                default -> throw Decline.INSTANCE;
            };
            if ((seen & bit) != 0) throw Decline.INSTANCE;
            seen |= bit;
        }
        return switch (type) {
            case "AccountOpened" -> {
                expect(seen, ACCOUNT_ID | CURRENCY | OVERDRAFT_LIMIT | UNLIMITED_OVERDRAFT | METADATA);
                yield new AccountOpened(accountId, currency, overdraftLimit, unlimited, metadata);
            }
            case "AccountClosed" -> {
                expect(seen, ACCOUNT_ID);
                yield new AccountClosed(accountId);
            }
            case "FundsReserved" -> {
                expect(seen, ACCOUNT_ID | TRANSFER_ID | AMOUNT | CREDIT_ACCOUNT_ID);
                yield new FundsReserved(accountId, transferId, amount, creditAccountId);
            }
            case "AccountCredited" -> {
                expect(seen, ACCOUNT_ID | TRANSFER_ID | AMOUNT | DEBIT_ACCOUNT_ID);
                yield new AccountCredited(accountId, transferId, amount, debitAccountId);
            }
            case "AccountDebited" -> {
                expect(seen, ACCOUNT_ID | TRANSFER_ID | AMOUNT | CREDIT_ACCOUNT_ID);
                yield new AccountDebited(accountId, transferId, amount, creditAccountId);
            }
            case "ReservationCaptured" -> {
                expect(seen, ACCOUNT_ID | TRANSFER_ID | AMOUNT | CREDIT_ACCOUNT_ID);
                yield new ReservationCaptured(accountId, transferId, amount, creditAccountId);
            }
            case "ReservationReleased" -> {
                expect(seen, ACCOUNT_ID | TRANSFER_ID | AMOUNT | REASON);
                yield new ReservationReleased(accountId, transferId, amount, reason);
            }
            case "TransferInitiated" -> {
                expect(seen & ~REFERENCE,
                        TRANSFER_ID | DEBIT_ACCOUNT_ID | CREDIT_ACCOUNT_ID | AMOUNT | CURRENCY | METADATA);
                yield new TransferInitiated(transferId, debitAccountId, creditAccountId, amount, currency,
                        reference, metadata);
            }
            case "TransferCompleted" -> {
                expect(seen, TRANSFER_ID | DEBIT_ACCOUNT_SEQ | CREDIT_ACCOUNT_SEQ);
                yield new TransferCompleted(transferId, debitAccountSeq, creditAccountSeq);
            }
            case "TransferRejected" -> {
                expect(seen, TRANSFER_ID | REASON | ACCOUNTS_TOUCHED);
                yield new TransferRejected(transferId, reason, touched);
            }
            default -> throw Decline.INSTANCE;
        };
    }

    private static void expect(int seen, int expected) {
        if (seen != expected) throw Decline.INSTANCE;
    }

    private static String intern(String id, Map<String, String> ids) {
        if (ids == null) return id;
        String known = ids.putIfAbsent(id, id);
        return known != null ? known : id;
    }

    private static <T> T once(T previous, T value) {
        if (previous != null) throw Decline.INSTANCE;
        return value;
    }

    private static <T> T required(T value) {
        if (value == null) throw Decline.INSTANCE;
        return value;
    }

    private static String string(JsonParser p) throws IOException {
        if (p.nextToken() != JsonToken.VALUE_STRING) throw Decline.INSTANCE;
        return p.getText();
    }

    private static long longValue(JsonParser p) throws IOException {
        if (p.nextToken() != JsonToken.VALUE_NUMBER_INT) throw Decline.INSTANCE;
        JsonParser.NumberType t = p.getNumberType();
        if (t != JsonParser.NumberType.INT && t != JsonParser.NumberType.LONG) throw Decline.INSTANCE;
        return p.getLongValue();
    }

    private static Currency currency(String code) {
        Currency known = CURRENCIES.get(code);
        if (known != null) return known;
        Currency currency = Currency.getInstance(code); // IllegalArgumentException: declined
        if (!currency.getCurrencyCode().equals(code)) throw Decline.INSTANCE;
        CURRENCIES.put(code, currency);
        return currency;
    }

    private static Map<String, String> stringMap(JsonParser p) throws IOException {
        if (p.nextToken() != JsonToken.START_OBJECT) throw Decline.INSTANCE;
        Map<String, String> map = new HashMap<>();
        String key;
        while ((key = p.nextFieldName()) != null) {
            if (map.put(key, string(p)) != null) throw Decline.INSTANCE;
        }
        return map;
    }

    private static Map<String, Long> longMap(JsonParser p) throws IOException {
        if (p.nextToken() != JsonToken.START_OBJECT) throw Decline.INSTANCE;
        Map<String, Long> map = new HashMap<>();
        String key;
        while ((key = p.nextFieldName()) != null) {
            if (map.put(key, longValue(p)) != null) throw Decline.INSTANCE;
        }
        return map;
    }

    /**
     * {@code yyyy-MM-ddTHH:mm:ss[.f{1,9}]Z}, the form {@link Instant#toString} writes for the years
     * 0000-9999; anything else declines.
     */
    static Instant instant(String s) {
        int n = s.length();
        if (n < 20 || n > 30 || s.charAt(4) != '-' || s.charAt(7) != '-' || s.charAt(10) != 'T' || s.charAt(13) != ':'
                || s.charAt(16) != ':' || s.charAt(n - 1) != 'Z') {
            throw Decline.INSTANCE;
        }
        int nanos = 0;
        if (n > 20) {
            int digits = n - 21;
            if (s.charAt(19) != '.' || digits < 1 || digits > 9) throw Decline.INSTANCE;
            nanos = digits(s, 20, 20 + digits);
            for (int i = digits; i < 9; i++) nanos *= 10;
        }
        try {
            return LocalDateTime.of(digits(s, 0, 4), digits(s, 5, 7), digits(s, 8, 10), digits(s, 11, 13),
                    digits(s, 14, 16), digits(s, 17, 19), nanos).toInstant(ZoneOffset.UTC);
        } catch (DateTimeException invalid) {
            throw Decline.INSTANCE;
        }
    }

    private static int digits(String s, int from, int to) {
        int value = 0;
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') throw Decline.INSTANCE;
            value = value * 10 + (c - '0');
        }
        return value;
    }
}
