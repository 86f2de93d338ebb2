package dev.ledger.audit;

/**
 * One broken check, placed as precisely as the log allows.
 *
 * @param aggregateId the account or transfer concerned (for the invariant: the currency), or null
 * @param seq         the sequence number in that aggregate's history, or null when it has none
 * @param partition   the partition of the record concerned, or null when the finding is not about one record
 * @param offset      the offset of that record, or null
 */
public record Violation(AuditCheck check, String aggregateId, Long seq, Integer partition, Long offset,
                        String detail) {

    /** One line for a person: where, then what. */
    public String describe() {
        StringBuilder text = new StringBuilder();
        if (aggregateId != null) text.append(aggregateId);
        if (seq != null) text.append(" seq ").append(seq);
        if (partition != null) {
            text.append(text.isEmpty() ? "" : " ").append("(partition ").append(partition);
            if (offset != null) text.append(", offset ").append(offset);
            text.append(')');
        }
        return (text.isEmpty() ? "" : text + ": ") + detail;
    }
}
