package dev.ledger.domain.account;

import dev.ledger.domain.Money;

/**
 * The four counters of an account (TigerBeetle's model). Every operation is overflow-checked and
 * throws {@link ArithmeticException} rather than wrap. Credits post at once in this saga, so
 * {@code creditsPending} stays zero until user-level pending transfers exist.
 */
public record Balances(long debitsPending, long debitsPosted, long creditsPending, long creditsPosted) {

    public static final Balances ZERO = new Balances(0, 0, 0, 0);

    /** Posted balance: credits minus debits. */
    public long balance() {
        return Money.subtract(creditsPosted, debitsPosted);
    }

    /** What may still be debited: the balance less what is held, plus the overdraft allowed. */
    public long available(long overdraftLimit) {
        return Money.add(Money.subtract(balance(), debitsPending), overdraftLimit);
    }

    public Balances reserve(long amount) {
        return new Balances(Money.add(debitsPending, amount), debitsPosted, creditsPending, creditsPosted);
    }

    public Balances capture(long amount) {
        return new Balances(Money.subtract(debitsPending, amount), Money.add(debitsPosted, amount),
                creditsPending, creditsPosted);
    }

    /** A debit posted at once, with no hold before it. */
    public Balances debit(long amount) {
        return new Balances(debitsPending, Money.add(debitsPosted, amount), creditsPending, creditsPosted);
    }

    public Balances release(long amount) {
        return new Balances(Money.subtract(debitsPending, amount), debitsPosted, creditsPending, creditsPosted);
    }

    public Balances credit(long amount) {
        return new Balances(debitsPending, debitsPosted, creditsPending, Money.add(creditsPosted, amount));
    }

    /** Nothing posted on balance and nothing held: the account may close. */
    public boolean isSettled() {
        return balance() == 0 && debitsPending == 0 && creditsPending == 0;
    }
}
