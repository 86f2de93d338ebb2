package dev.ledger.api;

import java.util.List;

/** A page of a statement; {@code next} is the cursor of the following page, or null at the end. */
record EntryPage(List<EntryView> entries, String next) {
    EntryPage {
        entries = List.copyOf(entries);
    }
}
