package dev.ledger.launcher;

import dev.ledger.audit.AuditCheck;
import dev.ledger.audit.AuditOptions;
import dev.ledger.audit.AuditReport;
import dev.ledger.audit.LedgerAudit;
import dev.ledger.audit.LedgerReplay;
import dev.ledger.audit.Violation;
import dev.ledger.domain.account.AccountEvent;
import dev.ledger.domain.transfer.TransferState;
import dev.ledger.kafka.EventCodec;
import dev.ledger.kafka.EventEnvelope;
import dev.ledger.kafka.HashChain;
import dev.ledger.kafka.LedgerJson;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code ./ledger audit} against a whole ledger on the real broker and PostgreSQL: after random load
 * it passes and agrees with the read model and with the test's own records; as of an instant it gives
 * the balances recorded then; and every kind of tampering (an altered, dropped, reordered or forged
 * event) is named by aggregate, seq and check, with a non-zero exit.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AuditEndToEndTest {
    private static final int CUSTOMERS = 30;

    private LedgerHarness ledger;
    private TransferWorkload workload;
    private Instant cut;
    /** The balances the API answered at the cut, before the second phase of load. */
    private final Map<String, Long> balancesAtCut = new TreeMap<>();
    private Set<String> completedAtCut;

    @BeforeAll
    void load() throws Exception {
        ledger = LedgerHarness.start("audit");
        workload = new TransferWorkload(r -> ledger.post("/v1/transfers", r.key(), r.body()), CUSTOMERS, 7);
        TransferInvariantTest.open(ledger, TransferWorkload.SETTLEMENT, true);
        TransferWorkload.concurrently(workload.customers(), id -> TransferInvariantTest.open(ledger, id, false));
        workload.deposits();
        workload.run(400, 16);
        LedgerReplay first = LedgerChecks.settledReplay(ledger::committedEvents);
        LedgerChecks.assertReadModelEqualsReplay(ledger.config(), first);
        completedAtCut = completed(first);

        Thread.sleep(20);
        cut = Instant.now();
        Thread.sleep(20);
        for (String id : first.accounts().keySet()) {
            var r = ledger.get("/v1/accounts/" + id + "/balance");
            assertThat(r.status()).as(r.toString()).isEqualTo(200);
            balancesAtCut.put(id, r.json().path("balance").asLong());
        }

        AuditFixtures.moreTransfers(workload, "p2", 250, 8, 11);
        LedgerChecks.assertReadModelEqualsReplay(ledger.config(), LedgerChecks.settledReplay(ledger::committedEvents));
        assertThat(workload.surprises).isEmpty();
    }

    @AfterAll
    void stop() {
        if (ledger != null) ledger.close();
    }

    private static Set<String> completed(LedgerReplay replay) {
        Set<String> ids = new HashSet<>();
        replay.transfers().forEach((id, state) -> {
            if (state instanceof TransferState.Completed) ids.add(id);
        });
        return ids;
    }

    private AuditReport audit(AuditOptions options) {
        return LedgerAudit.run(ledger.config(), options.withThreads(2));
    }

    @Test
    @Order(1)
    void after_random_load_the_audit_passes_and_equals_the_read_model_and_the_tests_own_records() {
        AuditReport report = audit(AuditOptions.defaults());

        AuditFixtures.assertPassed(report);
        List<EventEnvelope> events = ledger.committedEvents();
        assertThat(report.eventsAudited()).isEqualTo(events.size()).isEqualTo(report.recordsRead());
        assertThat(report.reconciliation().performed()).isTrue();
        assertThat(report.reconciliation().accountsCompared()).isEqualTo(CUSTOMERS + 1);
        assertThat(report.reconciliation().differences()).isZero();

        LedgerReplay replay = LedgerChecks.replay(events);
        Set<String> completed = completed(replay);
        workload.answers.forEach((id, answer) -> {
            if (answer.status() == 201) assertThat(completed).as(id).contains(id);
        });
        assertThat(AuditFixtures.balances(report)).isEqualTo(AuditFixtures.expectedBalances(workload, report, completed));
        LedgerChecks.assertReadModelEqualsReplay(ledger.config(), replay);
        replay.accounts().forEach((id, state) -> assertThat(report.account(id).seq()).isEqualTo(state.version()));

        assertThat(report.currencies()).singleElement().satisfies(t -> {
            assertThat(t.currency()).isEqualTo("EUR");
            assertThat(t.postedNet()).isZero();
            assertThat(t.creditedNotCaptured()).isZero();
        });
        assertThat(report.transfers().total()).isEqualTo(replay.transfers().size());
        assertThat(report.transfers().inFlight()).isZero();
        assertThat(report.transfers().completed()).isEqualTo(completed.size());
    }

    @Test
    @Order(2)
    void as_of_an_instant_gives_the_balances_recorded_at_that_instant() {
        AuditReport report = audit(AuditOptions.defaults().withAsOf(cut));

        AuditFixtures.assertPassed(report);
        assertThat(report.eventsAfterAsOf()).isPositive();
        assertThat(AuditFixtures.balances(report)).isEqualTo(balancesAtCut);
        assertThat(AuditFixtures.balances(report))
                .isEqualTo(AuditFixtures.expectedBalances(workload, report, completedAtCut));
        assertThat(report.transfers().total()).isEqualTo(completedAtCut.size() + report.transfers().rejected());
        assertThat(report.reconciliation().accountsCompared()).isEqualTo(CUSTOMERS + 1);
    }

    @Test
    @Order(3)
    void the_command_prints_a_summary_writes_the_json_report_and_exits_zero(@org.junit.jupiter.api.io.TempDir Path dir)
            throws Exception {
        Path json = dir.resolve("report.json");
        var run = cli(new AuditCommand(ledger.config()), "--json", json.toString());
        assertThat(run.exitCode()).as(run.out() + run.err()).isZero();
        assertThat(run.out()).contains("AUDIT PASSED").contains("cust-0").contains("Reconciliation");
        AuditReport report = AuditReport.fromJson(Files.readAllBytes(json));
        assertThat(report.passed()).isTrue();
        assertThat(report.accounts()).hasSize(CUSTOMERS + 1);
        assertThat(report.checks()).extracting(AuditReport.CheckResult::check).containsExactly(AuditCheck.values());

        var asOf = cli(new AuditCommand(ledger.config()), "--as-of", cut.toString(), "--json", json.toString());
        assertThat(asOf.exitCode()).as(asOf.out()).isZero();
        assertThat(AuditFixtures.balances(AuditReport.fromJson(Files.readAllBytes(json)))).isEqualTo(balancesAtCut);

        // registered on the root command; without a running ledger it says how to start one
        var missing = cli(LedgerCli.commandLine(), "audit", "--data-dir", dir.resolve("nothing").toString());
        assertThat(missing.exitCode()).isEqualTo(1);
        assertThat(missing.err()).contains("no ledger data directory");
        assertThat(cli(LedgerCli.commandLine(), "audit", "--as-of", "yesterday").exitCode()).isEqualTo(2);
    }

    @Test
    @Order(4)
    void an_altered_event_in_a_copy_breaks_the_hash_chain_at_its_aggregate_and_seq() {
        String aggregate = "cust-3";
        long[] seq = {0};
        String copy = AuditFixtures.copyEvents(ledger.config(), "altered", records -> {
            int i = indexOf(records, e -> e.aggregateId().equals(aggregate) && e.seq() >= 3
                    && e.event() instanceof AccountEvent.AccountCredited);
            if (i < 0) return records; // another partition
            var record = records.get(i);
            seq[0] = record.event().seq();
            EventEnvelope e = record.event();
            var credit = (AccountEvent.AccountCredited) e.event();
            records.set(i, record.withValue(EventCodec.write(new EventEnvelope(e.eventId(), e.type(), e.schemaVersion(),
                    e.aggregateId(), e.seq(), e.occurredAt(), e.commandId(), e.correlationId(), e.causationId(),
                    new AccountEvent.AccountCredited(credit.accountId(), credit.transferId(), credit.amount() + 100,
                            credit.debitAccountId())))));
            return records;
        });

        var run = cli(new AuditCommand(ledger.config()), "--events-topic", copy);

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.out()).contains("AUDIT FAILED").contains("HASH_CHAIN").contains(aggregate + " seq " + seq[0]);
        AuditReport report = audit(AuditOptions.defaults().withEventsTopic(copy).withReconcile(false));
        assertThat(report.check(AuditCheck.HASH_CHAIN).details()).singleElement()
                .satisfies(v -> assertNames(v, aggregate, seq[0]));
        assertThat(report.check(AuditCheck.SEQUENCE).passed()).isTrue();
    }

    @Test
    @Order(5)
    void a_dropped_event_in_a_copy_is_a_sequence_gap_at_its_aggregate_and_seq() {
        String aggregate = "cust-5";
        long[] seq = {0};
        String copy = AuditFixtures.copyEvents(ledger.config(), "dropped", records -> {
            int i = indexOf(records, e -> e.aggregateId().equals(aggregate) && e.seq() == 4);
            if (i < 0) return records;
            seq[0] = records.remove(i).event().seq();
            return records;
        });

        AuditReport report = audit(AuditOptions.defaults().withEventsTopic(copy).withReconcile(false));

        assertThat(report.passed()).isFalse();
        assertThat(report.check(AuditCheck.SEQUENCE).details()).singleElement().satisfies(v -> {
            assertNames(v, aggregate, seq[0]);
            assertThat(v.detail()).contains("missing");
        });
    }

    @Test
    @Order(6)
    void two_events_of_one_aggregate_swapped_in_a_copy_are_out_of_order_at_that_aggregate_and_seq() {
        String aggregate = "cust-7";
        String copy = AuditFixtures.copyEvents(ledger.config(), "reordered", records -> {
            int fifth = indexOf(records, e -> e.aggregateId().equals(aggregate) && e.seq() == 5);
            if (fifth < 0) return records;
            Collections.swap(records, fifth, indexOf(records, e -> e.aggregateId().equals(aggregate) && e.seq() == 6));
            return records;
        });

        var run = cli(new AuditCommand(ledger.config()), "--events-topic", copy, "--no-reconcile");
        assertThat(run.exitCode()).isEqualTo(1);

        AuditReport report = audit(AuditOptions.defaults().withEventsTopic(copy).withReconcile(false));
        assertThat(report.check(AuditCheck.SEQUENCE).details()).isNotEmpty()
                .allSatisfy(v -> assertNames(v, aggregate, 5))
                .anySatisfy(v -> assertThat(v.detail()).contains("out of order"));
        assertThat(report.check(AuditCheck.HASH_CHAIN).details()).extracting(Violation::aggregateId).containsOnly(aggregate);
    }

    /** Last: it writes into the live ledger's own event topic. */
    @Test
    @Order(7)
    void a_forged_event_appended_to_the_event_topic_without_the_ledger_key_is_caught() {
        String aggregate = "cust-9";
        List<EventEnvelope> events = ledger.committedEvents();
        long lastSeq = events.stream().filter(e -> e.aggregateId().equals(aggregate))
                .mapToLong(EventEnvelope::seq).max().orElseThrow();
        var forged = new EventEnvelope(UUID.randomUUID().toString(), "AccountCredited", 1, aggregate, lastSeq + 1,
                Instant.now(), "forged-command", "forged-transfer", "forged-command",
                new AccountEvent.AccountCredited(aggregate, "forged-transfer", 1_000_000, TransferWorkload.SETTLEMENT));
        byte[] bytes = LedgerJson.writeEvent(forged);
        byte[] hash = new HashChain("a key that is not the ledger's key".getBytes(StandardCharsets.UTF_8))
                .next(HashChain.GENESIS, bytes);
        try (var producer = AuditFixtures.producer(ledger.config())) {
            producer.send(new ProducerRecord<>(ledger.config().topics().events(), null, forged.occurredAt().toEpochMilli(),
                    aggregate, bytes, new RecordHeaders().add(HashChain.HEADER, hash)));
        }

        var run = cli(new AuditCommand(ledger.config()), "--reconcile-wait", "5");

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.out()).contains("AUDIT FAILED").contains(aggregate + " seq " + (lastSeq + 1));
        AuditReport report = audit(AuditOptions.defaults().withReconcile(false));
        assertThat(report.check(AuditCheck.HASH_CHAIN).details()).singleElement()
                .satisfies(v -> assertNames(v, aggregate, lastSeq + 1));
        assertThat(report.check(AuditCheck.TRANSFERS).details()).singleElement()
                .satisfies(v -> assertNames(v, aggregate, lastSeq + 1));
        assertThat(report.failedChecks()).contains(AuditCheck.HASH_CHAIN, AuditCheck.INVARIANT, AuditCheck.TRANSFERS)
                .doesNotContain(AuditCheck.SEQUENCE);
    }

    private static void assertNames(Violation v, String aggregate, long seq) {
        assertThat(v.aggregateId()).as(v.describe()).isEqualTo(aggregate);
        assertThat(v.seq()).as(v.describe()).isEqualTo(seq);
    }

    /** The index of the first such event in this partition's records, or -1. */
    private static int indexOf(List<AuditFixtures.Rec> records, Predicate<EventEnvelope> which) {
        for (int i = 0; i < records.size(); i++) if (which.test(records.get(i).event())) return i;
        return -1;
    }

    record Run(int exitCode, String out, String err) {
    }

    static Run cli(Object command, String... args) {
        CommandLine commandLine = command instanceof CommandLine c ? c : new CommandLine(command);
        return cli(commandLine, args);
    }

    static Run cli(CommandLine commandLine, String... args) {
        var out = new StringWriter();
        var err = new StringWriter();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        int code = commandLine.execute(args);
        return new Run(code, out.toString(), err.toString());
    }
}
