package dev.ledger.command;

import dev.ledger.kafka.LedgerConfig;
import dev.ledger.kafka.ProcessorProducerSettings;
import dev.ledger.kafka.TopicNames;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The producer Kafka Streams builds for the command processor carries every shared setting, unchanged:
 * the bench's Kafka-limit row builds its producers from the same map and must not drift from it.
 */
class ProcessorProducerConfigTest {
    @Test
    void the_stream_producer_gets_every_shared_producer_setting() {
        var config = new LedgerConfig("127.0.0.1:9092", "jdbc:postgresql://127.0.0.1/x", "u", "p", 0, 12,
                new byte[32], Path.of("/tmp/unused"), TopicNames.DEFAULT, 10, "ledger");
        Map<String, Object> producer = new StreamsConfig(LedgerCommandProcessor.streamsConfig(config))
                .getProducerConfigs("ledger-command-producer");
        ProcessorProducerSettings.producerConfig().forEach((key, value) ->
                assertThat(String.valueOf(producer.get(key))).as(key).isEqualTo(String.valueOf(value)));
    }
}
