package dev.ledger.kafka;

import dev.ledger.domain.account.AccountCommand.OpenAccount;
import dev.ledger.domain.account.AccountCommand.ReserveFunds;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Currency;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

final class DeadLetterTest {
    private static final Instant AT = Instant.parse("2026-11-22T09:00:00Z");
    private static final Currency EUR = Currency.getInstance("EUR");

    private static ConsumerRecord<String, byte[]> deadLetter(String key, byte[] value) {
        var headers = new RecordHeaders()
                .add(DeadLetter.REASON_HEADER, "the reason".getBytes(StandardCharsets.UTF_8))
                .add(DeadLetter.SOURCE_HEADER, "ledger.commands-3@17".getBytes(StandardCharsets.UTF_8));
        return new ConsumerRecord<>("ledger.commands.dlq", 0, 5, AT.toEpochMilli(), TimestampType.CREATE_TIME, -1, -1,
                key, value, headers, Optional.empty());
    }

    @Test
    void a_readable_saga_step_is_named_by_type_id_and_transfer() {
        byte[] hop = LedgerJson.writeCommand(new CommandEnvelope("t-1/ReserveFunds", "ReserveFunds", AT, "t-1", "e-1",
                new ReserveFunds("bank", "t-1", 100, EUR, "alice")));

        DeadLetter letter = DeadLetter.of(deadLetter("bank", hop));

        assertThat(letter).extracting(DeadLetter::partition, DeadLetter::offset, DeadLetter::source, DeadLetter::key,
                        DeadLetter::reason, DeadLetter::time, DeadLetter::commandType, DeadLetter::commandId,
                        DeadLetter::transferId, DeadLetter::followUp)
                .containsExactly(0, 5L, "ledger.commands-3@17", "bank", "the reason", AT, "ReserveFunds",
                        "t-1/ReserveFunds", "t-1", true);
    }

    @Test
    void a_client_command_is_no_saga_step() {
        byte[] open = LedgerJson.writeCommand(CommandEnvelope.fromClient("c-1", AT,
                new OpenAccount("bad id!", EUR, 0, false, Map.of())));

        DeadLetter letter = DeadLetter.of(deadLetter("bad id!", open));

        assertThat(letter.commandType()).isEqualTo("OpenAccount");
        assertThat(letter.transferId()).isNull();
        assertThat(letter.followUp()).isFalse();
    }

    @Test
    void json_of_an_unknown_type_still_gives_its_type_and_id_but_no_transfer() {
        byte[] unknown = "{\"type\":\"StealMoney\",\"commandId\":\"s-1\",\"data\":{\"transferId\":\"t-9\"}}"
                .getBytes(StandardCharsets.UTF_8);

        DeadLetter letter = DeadLetter.of(deadLetter("alice", unknown));

        assertThat(letter.commandType()).isEqualTo("StealMoney");
        assertThat(letter.commandId()).isEqualTo("s-1");
        assertThat(letter.transferId()).isNull();
        assertThat(letter.followUp()).isFalse();
    }

    @Test
    void bytes_that_are_not_json_are_shown_printable_and_short() {
        byte[] value = new byte[400];
        java.util.Arrays.fill(value, (byte) 'a');
        value[0] = 0;
        value[1] = (byte) 0xff;
        value[2] = '\n';

        DeadLetter letter = DeadLetter.of(deadLetter(null, value));

        assertThat(letter.commandType()).isNull();
        assertThat(letter.key()).isNull();
        assertThat(letter.excerpt()).startsWith("\\u0000\uFFFD\\u000aaaa").endsWith("…")
                .hasSize(6 + 1 + 6 + (DeadLetter.EXCERPT_CHARS - 3) + 1);
        assertThat(DeadLetter.of(deadLetter("k", null)).excerpt()).isEmpty();
    }

    @Test
    void a_binary_saga_step_is_named_like_a_json_one_and_shown_as_its_json_envelope() {
        var step = new CommandEnvelope("t-1/ReserveFunds", "ReserveFunds", AT, "t-1", "e-1",
                new ReserveFunds("bank", "t-1", 100, EUR, "alice"), "client-1");
        // the processor dead-letters an element of a binary batch as a record of it alone
        byte[] batch = CommandRecords.write(java.util.List.of(CommandEnvelope.fromClient("c-1", AT,
                new OpenAccount("alice", EUR, 0, false, Map.of())), step));
        byte[] element = CommandRecords.read(batch).get(1).bytes();

        DeadLetter letter = DeadLetter.of(deadLetter("bank", element));

        assertThat(letter).extracting(DeadLetter::commandType, DeadLetter::commandId, DeadLetter::transferId,
                DeadLetter::followUp).containsExactly("ReserveFunds", "t-1/ReserveFunds", "t-1", true);
        assertThat(letter.excerpt()).startsWith("{\"commandId\":\"t-1/ReserveFunds\",\"type\":\"ReserveFunds\"");
    }

    @Test
    void a_binary_command_the_ledger_cannot_read_still_gives_its_type_and_id_and_is_shown_as_text() {
        var wire = BinaryRecordsTest.wire(new CommandEnvelope("t-2/CreditAccount", "CreditAccount", AT, "t-2", "e-2",
                new dev.ledger.domain.account.AccountCommand.CreditAccount("alice", "t-2", 100, EUR, "bank", 3)));
        byte[] noAmount = BinaryRecordsTest.batchOf(wire.toBuilder()
                .setCreditAccount(wire.getCreditAccount().toBuilder().clearAmount()).build().toByteArray());

        DeadLetter letter = DeadLetter.of(deadLetter("alice", noAmount));

        assertThat(letter).extracting(DeadLetter::commandType, DeadLetter::commandId, DeadLetter::transferId,
                DeadLetter::followUp).containsExactly("CreditAccount", "t-2/CreditAccount", null, false);
        assertThat(letter.excerpt()).startsWith("command_id: \"t-2/CreditAccount\"")
                .contains("credit_account { account_id: \"alice\" transfer_id:");
    }

    @Test
    void binary_garbage_is_shown_printable() {
        DeadLetter letter = DeadLetter.of(deadLetter("k", new byte[]{(byte) 0xC1, 1, (byte) 0xff, 0x00, 'x'}));

        assertThat(letter.commandType()).isNull();
        assertThat(letter.commandId()).isNull();
        assertThat(letter.excerpt()).isEqualTo("\uFFFD\\u0001\uFFFD\\u0000x");
    }
}
