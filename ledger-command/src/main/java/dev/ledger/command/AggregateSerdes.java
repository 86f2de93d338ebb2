package dev.ledger.command;

import dev.ledger.kafka.Aggregate;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import dev.ledger.domain.account.AccountState;
import dev.ledger.domain.transfer.TransferState;
import dev.ledger.kafka.LedgerJson;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

import java.io.IOException;

/**
 * Serdes of the state stores. The sealed state types get their type tags here, through Jackson
 * mix-ins, so that the domain stays free of any serialization annotation.
 */
final class AggregateSerdes {
    private static final ObjectMapper MAPPER = LedgerJson.MAPPER.copy()
            .addMixIn(AccountState.class, AccountStateTags.class)
            .addMixIn(TransferState.class, TransferStateTags.class);

    private AggregateSerdes() {
    }

    static Serde<Aggregate<AccountState>> accounts() {
        return serde(new TypeReference<>() {
        });
    }

    static Serde<Aggregate<TransferState>> transfers() {
        return serde(new TypeReference<>() {
        });
    }

    private static <S> Serde<Aggregate<S>> serde(TypeReference<Aggregate<S>> type) {
        ObjectWriter writer = MAPPER.writerFor(type);
        ObjectReader reader = MAPPER.readerFor(type);
        return Serdes.serdeFrom(
                (topic, value) -> {
                    try {
                        return value == null ? null : writer.writeValueAsBytes(value);
                    } catch (IOException e) {
                        throw new IllegalStateException("cannot write aggregate state", e);
                    }
                },
                (topic, bytes) -> {
                    try {
                        return bytes == null ? null : reader.readValue(bytes);
                    } catch (IOException e) {
                        throw new IllegalStateException("unreadable aggregate state in " + topic, e);
                    }
                });
    }

    @JsonTypeInfo(use = JsonTypeInfo.Id.SIMPLE_NAME, property = "kind")
    @JsonSubTypes({@JsonSubTypes.Type(AccountState.Unopened.class), @JsonSubTypes.Type(AccountState.Open.class),
            @JsonSubTypes.Type(AccountState.Closed.class)})
    private abstract static class AccountStateTags {
    }

    @JsonTypeInfo(use = JsonTypeInfo.Id.SIMPLE_NAME, property = "kind")
    @JsonSubTypes({@JsonSubTypes.Type(TransferState.Unknown.class), @JsonSubTypes.Type(TransferState.InFlight.class),
            @JsonSubTypes.Type(TransferState.Completed.class), @JsonSubTypes.Type(TransferState.Rejected.class)})
    private abstract static class TransferStateTags {
    }
}
