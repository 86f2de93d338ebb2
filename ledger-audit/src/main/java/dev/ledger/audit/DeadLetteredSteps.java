package dev.ledger.audit;

import dev.ledger.kafka.DeadLetter;
import dev.ledger.kafka.DeadLetterLog;
import dev.ledger.kafka.KafkaClients;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The saga steps the processor refused, read from the dead-letter topic: a follow-up of transfer X
 * there means the saga of X will never take that step, so whatever X holds stays held. Only the
 * readable follow-ups can be tied to a transfer; every other dead letter is counted. Only steps of the
 * transfers the audit asks about are kept, and the first {@link #KEPT_PER_TRANSFER} of each, so a flood
 * of forged steps cannot exhaust the audit's memory.
 */
final class DeadLetteredSteps {
    static final int KEPT_PER_TRANSFER = 3;
    static final DeadLetteredSteps NONE = of(List.of(), null, id -> true);

    private final Map<String, List<DeadLetter>> byTransfer = new HashMap<>();
    private final Instant asOf;
    private final Predicate<String> wanted;
    private long read;

    private DeadLetteredSteps(Instant asOf, Predicate<String> wanted) {
        this.asOf = asOf;
        this.wanted = wanted;
    }

    /**
     * @param asOf   only what had been dead-lettered by this instant (the command's timestamp), or null for all
     * @param wanted the transfers whose steps to keep (by id)
     */
    static DeadLetteredSteps read(KafkaClients clients, String topic, Instant asOf, Predicate<String> wanted) {
        var steps = new DeadLetteredSteps(asOf, wanted);
        DeadLetterLog.readAll(clients, topic, steps::add);
        return steps;
    }

    static DeadLetteredSteps of(List<DeadLetter> letters, Instant asOf, Predicate<String> wanted) {
        var steps = new DeadLetteredSteps(asOf, wanted);
        letters.forEach(steps::add);
        return steps;
    }

    private void add(DeadLetter letter) {
        read++;
        if (!letter.followUp() || (asOf != null && letter.time().isAfter(asOf)) || !wanted.test(letter.transferId())) {
            return;
        }
        List<DeadLetter> kept = byTransfer.computeIfAbsent(letter.transferId(), id -> new ArrayList<>());
        if (kept.size() < KEPT_PER_TRANSFER) kept.add(letter);
    }

    /** The dead-lettered steps of this transfer, oldest first; empty when there are none. */
    List<DeadLetter> of(String transferId) {
        return byTransfer.getOrDefault(transferId, List.of());
    }

    /** Every dead letter read, saga step or not. */
    long read() {
        return read;
    }

    /** One line naming the dead letter, as the violation and {@code ./ledger dead-letters} name it. */
    static String describe(DeadLetter letter) {
        return letter.commandType() + " " + letter.commandId() + " (from " + letter.source() + "): " + letter.reason();
    }
}
