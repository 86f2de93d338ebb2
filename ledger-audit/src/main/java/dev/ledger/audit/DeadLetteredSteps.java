package dev.ledger.audit;

import dev.ledger.kafka.DeadLetter;
import dev.ledger.kafka.DeadLetterLog;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The saga steps the processor refused, read from the dead-letter topic: a follow-up of transfer X
 * there means the saga of X will never take that step, so whatever X holds stays held. Only the
 * readable follow-ups can be tied to a transfer; every other dead letter is counted. The first
 * {@link #KEPT_PER_TRANSFER} of a transfer are kept, so a flood of forged steps stays bounded.
 */
final class DeadLetteredSteps {
    static final int KEPT_PER_TRANSFER = 3;
    static final DeadLetteredSteps NONE = of(List.of(), null);

    private final Map<String, List<DeadLetter>> byTransfer = new HashMap<>();
    private final Instant asOf;
    private long read;

    private DeadLetteredSteps(Instant asOf) {
        this.asOf = asOf;
    }

    /** @param asOf only what had been dead-lettered by this instant (the command's timestamp), or null for all */
    static DeadLetteredSteps read(String bootstrapServers, String topic, Instant asOf) {
        var steps = new DeadLetteredSteps(asOf);
        DeadLetterLog.readAll(bootstrapServers, topic, steps::add);
        return steps;
    }

    static DeadLetteredSteps of(List<DeadLetter> letters, Instant asOf) {
        var steps = new DeadLetteredSteps(asOf);
        letters.forEach(steps::add);
        return steps;
    }

    private void add(DeadLetter letter) {
        read++;
        if (!letter.followUp() || (asOf != null && letter.time().isAfter(asOf))) return;
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
