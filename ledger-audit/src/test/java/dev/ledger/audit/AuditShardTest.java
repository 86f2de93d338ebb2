package dev.ledger.audit;

import dev.ledger.domain.account.AccountEvent;
import dev.ledger.domain.account.Balances;
import dev.ledger.kafka.EventCodec;
import dev.ledger.kafka.EventEnvelope;
import dev.ledger.kafka.HashChain;
import dev.ledger.kafka.LedgerJson;
import dev.ledger.kafka.LedgerKeys;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;

/** The checks over in-memory histories made by the domain's own deciders: no Kafka. */
class AuditShardTest {
    private static final byte[] KEY = "the ledger key of this test, 32b".getBytes(StandardCharsets.UTF_8);
    private static final Instant START = Instant.parse("2026-11-22T09:00:00Z");
    private static final int PARTITIONS = 3;

    record Rec(int partition, String key, long timestamp, byte[] value, byte[] hash) {
        EventEnvelope envelope() {
            return EventCodec.read(value);
        }
    }

    /** Audits the records, partition by partition in list order, on one shard per partition. */
    record Result(Violations violations, AuditEvaluation evaluation) {
        List<Violation> of(AuditCheck check) {
            return violations.kept(check);
        }

        boolean passed() {
            for (AuditCheck c : AuditCheck.values()) if (violations.count(c) > 0) return false;
            return true;
        }

        AuditReport.AccountBalance account(String id) {
            return evaluation.balances().stream().filter(a -> a.accountId().equals(id)).findFirst().orElseThrow();
        }
    }

    static List<Rec> history(int customers, int transfers, long seed) {
        List<Rec> records = new ArrayList<>();
        try (var generator = new HistoryGenerator((key, ts, value, hash) ->
                records.add(new Rec(Math.floorMod(key.hashCode(), PARTITIONS), key, ts, value, hash)), KEY, START)) {
            var random = new java.util.Random(seed);
            generator.open(HistoryGenerator.SETTLEMENT, true);
            for (int i = 0; i < customers; i++) generator.open("c" + i, false);
            for (int i = 0; i < customers; i++) generator.transfer("dep-" + i, HistoryGenerator.SETTLEMENT, "c" + i, 1_000);
            for (int i = 0; i < transfers; i++) {
                generator.advance(10);
                String debit = "c" + random.nextInt(customers);
                String credit = "c" + random.nextInt(customers);
                if (debit.equals(credit)) credit = HistoryGenerator.SETTLEMENT;
                generator.transfer("t" + i, debit, credit, 1 + random.nextInt(1_500));
            }
        }
        return records;
    }

    static Result audit(List<Rec> records, Instant asOf, byte[] key) {
        return audit(records, asOf, key, DeadLetteredSteps.NONE);
    }

    static Result audit(List<Rec> records, Instant asOf, byte[] key, DeadLetteredSteps deadLettered) {
        Violations violations = new Violations(100);
        List<AuditShard> shards = new ArrayList<>();
        var transfers = new java.util.concurrent.ConcurrentHashMap<String, AuditShard.Track<dev.ledger.domain.transfer.TransferState>>();
        long[] offsets = new long[PARTITIONS];
        for (int p = 0; p < PARTITIONS; p++) shards.add(new AuditShard("events", LedgerKeys.single(key), asOf, violations, transfers));
        for (Rec r : records) {
            shards.get(r.partition()).accept(r.partition(), offsets[r.partition()]++, r.key(), r.value(), r.hash(),
                    LedgerKeys.DEFAULT_ID);
        }
        return new Result(violations, new AuditEvaluation(shards, transfers, violations,
                asOf != null ? asOf : Instant.now(), deadLettered));
    }

    static Result audit(List<Rec> records) {
        return audit(records, null, KEY);
    }

    /** The last transfer the generator ran hop by hop (the others are settled whole): the one whose reservation came last. */
    static String lastHopByHopTransfer(List<Rec> records) {
        return ((AccountEvent.FundsReserved) records.get(lastIndexOf(records,
                e -> e.event() instanceof AccountEvent.FundsReserved)).envelope().event()).transferId();
    }

    static int lastIndexOf(List<Rec> records, Predicate<EventEnvelope> which) {
        for (int i = records.size() - 1; i >= 0; i--) if (which.test(records.get(i).envelope())) return i;
        throw new AssertionError("no such event");
    }

    static int indexOf(List<Rec> records, Predicate<EventEnvelope> which) {
        for (int i = 0; i < records.size(); i++) if (which.test(records.get(i).envelope())) return i;
        throw new AssertionError("no such event");
    }

    @Test
    void a_valid_history_passes_every_check_with_the_balances_of_the_plain_replay() {
        List<Rec> records = history(12, 400, 1);
        Result result = audit(records);

        assertThat(result.passed()).as(String.valueOf(result.violations().kept(AuditCheck.SAGA))).isTrue();
        var replay = new LedgerReplay();
        records.forEach(r -> replay.apply(r.envelope()));
        assertThat(result.evaluation().balances()).hasSize(replay.accounts().size());
        replay.accounts().forEach((id, state) -> {
            Balances b = LedgerReplay.balancesOf(state);
            var a = result.account(id);
            assertThat(List.of(a.debitsPending(), a.debitsPosted(), a.creditsPending(), a.creditsPosted(), a.seq()))
                    .as(id).containsExactly(b.debitsPending(), b.debitsPosted(), b.creditsPending(), b.creditsPosted(),
                            state.version());
        });
        assertThat(result.evaluation().totals()).singleElement().satisfies(t -> {
            assertThat(t.postedNet()).isZero();
            assertThat(t.creditedNotCaptured()).isZero();
        });
        var counts = result.evaluation().counts();
        assertThat(counts.total()).isEqualTo(412);
        assertThat(counts.completed() + counts.rejected()).isEqualTo(412);
        assertThat(counts.rejected()).as("some transfers lack funds").isPositive();
        assertThat(records).extracting(r -> r.envelope().type()).as("transfers settled whole and hop by hop")
                .contains("AccountDebited", "FundsReserved", "ReservationCaptured");
    }

    @Test
    void a_transfer_settled_whole_without_its_debit_is_named_as_completed_but_never_debited() {
        List<Rec> records = history(5, 50, 3);
        int i = lastIndexOf(records, e -> e.event() instanceof AccountEvent.AccountDebited);
        EventEnvelope dropped = records.remove(i).envelope();
        String transferId = ((AccountEvent.AccountDebited) dropped.event()).transferId();

        Result result = audit(records);

        assertThat(result.of(AuditCheck.SAGA)).anySatisfy(v -> {
            assertThat(v.aggregateId()).isEqualTo(transferId);
            assertThat(v.detail()).contains("completed, but its debit was never posted");
        });
        assertThat(result.of(AuditCheck.INVARIANT)).as("money credited that no account paid").isNotEmpty();
    }

    @Test
    void an_altered_event_breaks_the_chain_at_its_aggregate_and_seq_only() {
        List<Rec> records = history(5, 50, 2);
        int i = indexOf(records, e -> e.event() instanceof AccountEvent.AccountCredited && e.seq() > 2);
        Rec original = records.get(i);
        EventEnvelope e = original.envelope();
        var credit = (AccountEvent.AccountCredited) e.event();
        byte[] altered = EventCodec.write(new EventEnvelope(e.eventId(), e.type(), e.schemaVersion(), e.aggregateId(),
                e.seq(), e.occurredAt(), e.commandId(), e.correlationId(), e.causationId(), new AccountEvent.AccountCredited(
                credit.accountId(), credit.transferId(), credit.amount() + 1, credit.debitAccountId())));
        assertThat(altered).isNotEqualTo(original.value());
        records.set(i, new Rec(original.partition(), original.key(), original.timestamp(), altered, original.hash()));

        Result result = audit(records);

        assertThat(result.of(AuditCheck.HASH_CHAIN)).singleElement().satisfies(v -> {
            assertThat(v.aggregateId()).isEqualTo(e.aggregateId());
            assertThat(v.seq()).isEqualTo(e.seq());
        });
        assertThat(result.of(AuditCheck.SEQUENCE)).isEmpty();
    }

    @Test
    void a_dropped_event_is_a_gap_named_by_the_missing_seq() {
        List<Rec> records = history(5, 50, 3);
        int i = indexOf(records, e -> e.event() instanceof AccountEvent.FundsReserved && e.seq() > 3);
        EventEnvelope dropped = records.remove(i).envelope();

        Result result = audit(records);

        assertThat(result.of(AuditCheck.SEQUENCE)).singleElement().satisfies(v -> {
            assertThat(v.aggregateId()).isEqualTo(dropped.aggregateId());
            assertThat(v.seq()).isEqualTo(dropped.seq());
            assertThat(v.detail()).contains("missing");
        });
        assertThat(result.of(AuditCheck.HASH_CHAIN)).extracting(Violation::aggregateId, Violation::seq)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(dropped.aggregateId(), dropped.seq() + 1));
    }

    @Test
    void two_events_of_one_aggregate_swapped_are_out_of_order() {
        List<Rec> records = history(5, 50, 4);
        int first = indexOf(records, e -> e.aggregateId().equals("c1") && e.seq() == 4);
        int second = indexOf(records, e -> e.aggregateId().equals("c1") && e.seq() == 5);
        Collections.swap(records, first, second);

        Result result = audit(records);

        assertThat(result.of(AuditCheck.SEQUENCE)).isNotEmpty().allSatisfy(v -> {
            assertThat(v.aggregateId()).isEqualTo("c1");
            assertThat(v.seq()).isEqualTo(4);
        });
        assertThat(result.of(AuditCheck.SEQUENCE).stream().map(Violation::detail))
                .anyMatch(d -> d.contains("out of order"));
    }

    @Test
    void a_forged_event_hashed_without_the_ledger_key_is_named_and_unbalances_the_ledger() {
        List<Rec> records = history(5, 20, 5);
        Result clean = audit(records);
        long lastSeq = clean.account("c2").seq();
        var forged = new EventEnvelope("forged-1", "AccountCredited", 1, "c2", lastSeq + 1, START.plusSeconds(3600),
                "forged", "forged-transfer", "forged",
                new AccountEvent.AccountCredited("c2", "forged-transfer", 1_000_000, "settlement"));
        byte[] bytes = LedgerJson.writeEvent(forged);
        byte[] hash = new HashChain("not the ledger key, but 32 bytes".getBytes(StandardCharsets.UTF_8))
                .next(HashChain.GENESIS, bytes);
        records.add(new Rec(Math.floorMod("c2".hashCode(), PARTITIONS), "c2", 0, bytes, hash));

        Result result = audit(records);

        assertThat(result.of(AuditCheck.HASH_CHAIN)).singleElement()
                .satisfies(v -> assertThat(List.of(v.aggregateId(), v.seq())).containsExactly("c2", lastSeq + 1));
        assertThat(result.of(AuditCheck.SEQUENCE)).isEmpty();
        assertThat(result.of(AuditCheck.TRANSFERS)).singleElement()
                .satisfies(v -> assertThat(v.detail()).contains("forged-transfer"));
        assertThat(result.of(AuditCheck.INVARIANT)).singleElement()
                .satisfies(v -> assertThat(v.aggregateId()).isEqualTo("EUR"));
        assertThat(result.account("c2").creditsPosted()).isEqualTo(clean.account("c2").creditsPosted() + 1_000_000);
    }

    @Test
    void a_saga_cut_after_its_credit_holds_the_invariant_in_flight() {
        List<Rec> records = history(5, 30, 6);
        String transferId = lastHopByHopTransfer(records);
        int credited = indexOf(records, e -> e.event() instanceof AccountEvent.AccountCredited c
                && c.transferId().equals(transferId));
        List<Rec> cut = records.subList(0, credited + 1);

        Result result = audit(cut);

        assertThat(result.passed()).isTrue();
        var totals = result.evaluation().totals().getFirst();
        long amount = ((AccountEvent.AccountCredited) cut.getLast().envelope().event()).amount();
        assertThat(totals.creditedNotCaptured()).isEqualTo(amount);
        assertThat(totals.postedNet()).isEqualTo(amount);
        assertThat(result.evaluation().inFlight()).singleElement().satisfies(t -> {
            assertThat(t.transferId()).isEqualTo(transferId);
            assertThat(t.step()).contains("credited");
        });
    }

    @Test
    void as_of_an_instant_gives_the_balances_of_the_events_up_to_it() {
        List<Rec> records = history(8, 200, 7);
        Instant asOf = START.plusMillis(1_000); // after t99's events
        Result result = audit(records, asOf, KEY);

        var replay = new LedgerReplay();
        records.stream().map(Rec::envelope).filter(e -> !e.occurredAt().isAfter(asOf)).forEach(replay::apply);
        assertThat(result.passed()).isTrue();
        replay.accounts().forEach((id, state) ->
                assertThat(result.account(id).balance()).as(id).isEqualTo(LedgerReplay.balancesOf(state).balance()));
        assertThat(result.evaluation().counts().total()).isEqualTo(replay.transfers().size()).isLessThan(208);
    }

    @Test
    void an_unreadable_event_is_named_by_topic_partition_offset_and_event_id_and_every_other_check_still_runs() {
        List<Rec> records = history(3, 5, 8);
        int index = indexOf(records, e -> e.aggregateId().equals("c1") && e.seq() == 2);
        Rec original = records.get(index);
        String eventId = original.envelope().eventId();
        // a JSON event, as the ledger wrote them before its binary events
        String json = new String(LedgerJson.writeEvent(original.envelope()), StandardCharsets.UTF_8);
        records.set(index, new Rec(original.partition(), original.key(), original.timestamp(),
                json.replace("\"type\":\"" + original.envelope().type() + "\"", "\"type\":\"FundsStolen\"")
                        .getBytes(StandardCharsets.UTF_8), original.hash()));
        long offset = records.subList(0, index).stream().filter(r -> r.partition() == original.partition()).count();

        Result result = audit(records);

        assertThat(result.of(AuditCheck.READABLE)).singleElement().satisfies(v -> {
            assertThat(v.aggregateId()).isEqualTo("c1");
            assertThat(v.partition()).isEqualTo(original.partition());
            assertThat(v.offset()).isEqualTo(offset);
            assertThat(v.detail()).contains("events-" + original.partition() + "@" + offset)
                    .contains("event id " + eventId).contains("unknown event type 'FundsStolen'");
        });
        // the run went on: the next event of c1 is a gap where the unreadable one stood, and all is folded
        assertThat(result.of(AuditCheck.SEQUENCE)).singleElement()
                .satisfies(v -> assertThat(List.of(v.aggregateId(), v.seq())).containsExactly("c1", 2L));
        assertThat(result.evaluation().balances()).hasSize(4);
    }

    @Test
    void bytes_that_are_not_json_are_named_by_their_place() {
        List<Rec> records = history(3, 5, 8);
        Rec original = records.get(4);
        records.set(4, new Rec(original.partition(), original.key(), original.timestamp(),
                new byte[]{(byte) 0xff, 0, 1, '{'}, original.hash()));

        Result result = audit(records);

        assertThat(result.of(AuditCheck.READABLE)).singleElement().satisfies(v -> {
            assertThat(v.aggregateId()).isEqualTo(original.key());
            assertThat(v.detail()).startsWith("events-" + original.partition() + "@").contains("unreadable event: ")
                    .doesNotContain("event id");
        });
    }

    @Test
    void a_dead_lettered_step_of_a_transfer_holding_funds_is_named_with_the_transfer_command_and_reason() {
        List<Rec> records = history(5, 30, 6);
        String t = lastHopByHopTransfer(records);
        int reserved = indexOf(records, e -> e.event() instanceof AccountEvent.FundsReserved r
                && r.transferId().equals(t));
        var reservation = (AccountEvent.FundsReserved) records.get(reserved).envelope().event();
        List<Rec> cut = records.subList(0, reserved + 1); // its CreditAccount never ran
        var letter = new dev.ledger.kafka.DeadLetter(0, 5, "ledger.commands-2@41", reservation.creditAccountId(),
                "a saga step the ledger did not write", START, "CreditAccount", t + "/CreditAccount", t, true,
                "{...}");
        var otherTransfer = new dev.ledger.kafka.DeadLetter(0, 6, "ledger.commands-2@42", "c1", "invalid transferId",
                START, "CreditAccount", "t3/CreditAccount", "t3", true, "{...}");

        Result result = audit(cut, null, KEY, DeadLetteredSteps.of(List.of(letter, otherTransfer), null, id -> true));

        assertThat(result.of(AuditCheck.DEAD_LETTERS)).singleElement().satisfies(v -> {
            assertThat(v.aggregateId()).isEqualTo(t);
            assertThat(v.detail()).contains("holding " + reservation.amount() + " EUR on " + reservation.accountId())
                    .contains("CreditAccount " + t + "/CreditAccount").contains("ledger.commands-2@41")
                    .contains("a saga step the ledger did not write");
        });
        assertThat(result.of(AuditCheck.SAGA)).as("t3 completed: its dead letter left nothing held").isEmpty();
    }

    @Test
    void a_reservation_beyond_the_limit_with_a_valid_hash_breaks_the_limit_and_the_saga() {
        List<Rec> records = history(3, 10, 9);
        Result clean = audit(records);
        var c0 = clean.account("c0");
        // the chain is extended with the real key: only the domain checks can catch this one
        byte[] prev = records.stream().filter(r -> r.key().equals("c0")).reduce((a, b) -> b).orElseThrow().hash();
        var reserve = new EventEnvelope("x-1", "FundsReserved", 1, "c0", c0.seq() + 1, START.plusSeconds(3600),
                "x", "x-transfer", "x", new AccountEvent.FundsReserved("c0", "x-transfer", c0.balance() + 1, "c1"));
        byte[] bytes = LedgerJson.writeEvent(reserve);
        records.add(new Rec(Math.floorMod("c0".hashCode(), PARTITIONS), "c0", 0, bytes, new HashChain(KEY).next(prev, bytes)));

        Result result = audit(records);

        assertThat(result.of(AuditCheck.HASH_CHAIN)).isEmpty();
        assertThat(result.of(AuditCheck.LIMITS)).singleElement()
                .satisfies(v -> assertThat(List.of(v.aggregateId(), v.seq())).containsExactly("c0", c0.seq() + 1));
        assertThat(result.of(AuditCheck.TRANSFERS)).singleElement()
                .satisfies(v -> assertThat(v.detail()).contains("x-transfer"));
        assertThat(Map.of("held", result.account("c0").debitsPending())).containsEntry("held", c0.balance() + 1);
    }
}
