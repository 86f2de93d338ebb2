package dev.ledger.audit;

import dev.ledger.domain.Reason;
import dev.ledger.domain.account.AccountEvent;
import dev.ledger.domain.transfer.TransferEvent;
import dev.ledger.kafka.EventCodec;
import dev.ledger.kafka.EventEnvelope;
import dev.ledger.kafka.LedgerJson;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Currency;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The audit's fast path reads exactly what the ledger's reader reads, and declines everything else. */
class FastEventReaderTest {
    private static final Currency EUR = Currency.getInstance("EUR");

    /** JSON events: a generated history (written binary, as the engine writes) in its JSON form, and more. */
    static List<byte[]> samples() {
        List<byte[]> samples = new ArrayList<>();
        AuditShardTest.history(4, 40, 1).forEach(r -> samples.add(LedgerJson.writeEvent(EventCodec.read(r.value()))));
        Instant at = Instant.parse("2026-11-22T10:00:00.123456Z");
        List<dev.ledger.domain.LedgerEvent> more = List.of(
                new AccountEvent.AccountOpened("a\"b\\c é", EUR, 500, false, Map.of("k", "v", "x", "\u2603")),
                new AccountEvent.AccountClosed("a1"),
                new AccountEvent.ReservationReleased("a1", "t1", 42, Reason.ACCOUNT_CLOSED),
                new TransferEvent.TransferRejected("t1", Reason.INSUFFICIENT_FUNDS, Map.of("a1", 7L, "b2", 9L)),
                new TransferEvent.TransferRejected("t2", Reason.ACCOUNT_NOT_FOUND, Map.of()),
                new TransferEvent.TransferInitiated("t3", "a1", "b2", Long.MAX_VALUE, Currency.getInstance("JPY"), null, Map.of()),
                new TransferEvent.TransferCompleted("t3", 12, Long.MAX_VALUE));
        for (var event : more) {
            samples.add(LedgerJson.writeEvent(new EventEnvelope("id", LedgerJson.typeName(event), 1,
                    event.aggregateId(), 3, at, "c", "t", "c", event)));
        }
        samples.add(LedgerJson.writeEvent(new EventEnvelope("id", "AccountClosed", 1, "a1", 1,
                Instant.parse("2026-11-22T10:00:00Z"), "c", "t", "c", new AccountEvent.AccountClosed("a1"))));
        return samples;
    }

    @Test
    void every_canonical_event_takes_the_fast_path_and_reads_the_same() {
        for (byte[] sample : samples()) {
            EventEnvelope fast = FastEventReader.tryFast(sample);
            assertThat(fast).as(new String(sample, StandardCharsets.UTF_8)).isNotNull()
                    .isEqualTo(LedgerJson.readEvent(sample));
        }
    }

    @Test
    void a_binary_event_never_takes_the_json_path_and_reads_as_the_ledger_reads_it() {
        for (byte[] json : samples()) {
            byte[] binary = EventCodec.write(LedgerJson.readEvent(json));

            assertThat(FastEventReader.read(binary, new java.util.HashMap<>())).isEqualTo(EventCodec.read(binary))
                    .isEqualTo(LedgerJson.readEvent(json));
        }
        byte[] cut = EventCodec.write(LedgerJson.readEvent(samples().getFirst()));
        assertThatThrownBy(() -> FastEventReader.read(java.util.Arrays.copyOf(cut, cut.length - 1)))
                .isInstanceOf(LedgerJson.UnreadableException.class);
    }

    @Test
    void odd_inputs_are_declined_or_read_exactly_as_the_ledger_reads_them() {
        String base = new String(LedgerJson.writeEvent(new EventEnvelope("e1", "FundsReserved", 1, "a1", 5,
                Instant.parse("2026-11-22T10:00:00.5Z"), "c1", "t1", "c1",
                new AccountEvent.FundsReserved("a1", "t1", 2500, "b1"))), StandardCharsets.UTF_8);
        List<String> variants = new ArrayList<>(List.of(
                base.replace("\"schemaVersion\":1", "\"schemaVersion\":2"),
                base.replace("\"schemaVersion\":1", "\"schemaVersion\":0"),
                base.replace("\"schemaVersion\":1", "\"schemaVersion\":1.0"),
                base.replace("\"seq\":5", "\"seq\":5.0"),
                base.replace("\"seq\":5", "\"seq\":0"),
                base.replace("\"seq\":5", "\"seq\":\"5\""),
                base.replace("\"amount\":2500", "\"amount\":2500.0"),
                base.replace("\"amount\":2500", "\"amount\":\"2500\""),
                base.replace("\"amount\":2500", "\"amount\":99999999999999999999"),
                base.replace("\"amount\":2500", "\"amount\":null"),
                base.replace("\"amount\":2500,", ""),
                base.replace("\"amount\":2500", "\"amount\":2500,\"amount\":2501"),
                base.replace("\"amount\":2500", "\"amount\":2500,\"extra\":1"),
                base.replace("\"seq\":5", "\"seq\":5,\"extra\":\"x\""),
                base.replace("\"seq\":5", "\"seq\":5,\"seq\":6"),
                base.replace("\"type\":\"FundsReserved\"", "\"type\":\"AccountCredited\""),
                base.replace("\"type\":\"FundsReserved\"", "\"type\":\"NoSuchEvent\""),
                base.replace("\"creditAccountId\":\"b1\"", "\"debitAccountId\":\"b1\""),
                base.replace("\"creditAccountId\":\"b1\"", "\"creditAccountId\":null"),
                base.replace("\"eventId\":\"e1\",", ""),
                base.replace("2026-11-22T10:00:00.5Z", "2026-11-22T10:00:00.500Z"),
                base.replace("2026-11-22T10:00:00.5Z", "2026-11-22T10:00:00Z"),
                base.replace("2026-11-22T10:00:00.5Z", "2026-11-22T10:00:00+00:00"),
                base.replace("2026-11-22T10:00:00.5Z", "2026-11-22T10:00Z"),
                base.replace("2026-11-22T10:00:00.5Z", "2026-02-30T10:00:00Z"),
                base.replace("2026-11-22T10:00:00.5Z", "2026-11-22T24:00:00Z"),
                base.replace("2026-11-22T10:00:00.5Z", "2026-11-22T23:59:60Z"),
                base.replace("2026-11-22T10:00:00.5Z", "2026-11-22t10:00:00Z"),
                base.replace("2026-11-22T10:00:00.5Z", "2026-11-22T10:00:00.1234567891Z"),
                base.replace("2026-11-22T10:00:00.5Z", "+12026-11-22T10:00:00Z"),
                base + " ",
                base + "{}",
                base + "x",
                " " + base,
                base.replace("{\"eventId\"", "{\"data\":{},\"eventId\""),
                base.substring(0, base.length() - 2),
                "[" + base + "]",
                "null",
                ""));
        String opened = new String(samples().get(0), StandardCharsets.UTF_8);
        variants.add(opened.replace("\"unlimitedOverdraft\":true", "\"unlimitedOverdraft\":\"true\""));
        variants.add(opened.replace("\"unlimitedOverdraft\":true", "\"unlimitedOverdraft\":1"));
        variants.add(opened.replace("\"currency\":\"EUR\"", "\"currency\":\"eur\""));
        variants.add(opened.replace("\"currency\":\"EUR\"", "\"currency\":\" EUR\""));
        variants.add(opened.replace("\"currency\":\"EUR\"", "\"currency\":\"XYZ\""));
        variants.add(opened.replace("\"metadata\":{}", "\"metadata\":{\"a\":1}"));
        variants.add(opened.replace("\"metadata\":{}", "\"metadata\":{\"a\":null}"));
        variants.add(opened.replace("\"metadata\":{}", "\"metadata\":{\"a\":\"1\",\"a\":\"2\"}"));
        variants.add(opened.replace("\"metadata\":{}", "\"metadata\":[]"));
        for (String variant : variants) same(variant.getBytes(StandardCharsets.UTF_8));

        // and random damage to every sample
        Random random = new Random(5);
        for (byte[] sample : samples()) {
            for (int i = 0; i < 30; i++) {
                byte[] damaged = sample.clone();
                damaged[random.nextInt(damaged.length)] = (byte) " {}[]\":,.0159aeZT-nulltrue".charAt(random.nextInt(26));
                same(damaged);
            }
        }
    }

    /** Either declined, or the ledger's result; and {@link FastEventReader#read} always behaves as the ledger. */
    private static void same(byte[] json) {
        String text = new String(json, StandardCharsets.UTF_8);
        EventEnvelope ledger;
        try {
            ledger = LedgerJson.readEvent(json);
        } catch (LedgerJson.UnreadableException unreadable) {
            assertThat(FastEventReader.tryFast(json)).as("the ledger cannot read " + text).isNull();
            assertThatThrownBy(() -> FastEventReader.read(json)).isInstanceOf(LedgerJson.UnreadableException.class);
            return;
        }
        EventEnvelope fast = FastEventReader.tryFast(json);
        if (fast != null) assertThat(fast).as(text).isEqualTo(ledger);
        assertThat(FastEventReader.read(json)).as(text).isEqualTo(ledger);
    }

    @Test
    void the_timestamp_parser_agrees_with_instant_parse() {
        Random random = new Random(3);
        for (int i = 0; i < 10_000; i++) {
            Instant t = Instant.ofEpochSecond(random.nextLong(0, 253402300799L), random.nextInt(1_000_000_000)
                    / (int) Math.pow(10, random.nextInt(10)) * (int) Math.pow(10, 0));
            assertThat(FastEventReader.instant(t.toString())).isEqualTo(t);
        }
    }
}
