package dev.ledger.projection;

import java.sql.Array;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.SignStyle;
import java.time.temporal.ChronoField;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.ToLongFunction;

/**
 * One column of a batch's rows as a PostgreSQL array, so that a statement writes every row of its kind at
 * once: {@code INSERT ... SELECT * FROM unnest(?::text[], ?::bigint[], ...)}. One statement costs PostgreSQL
 * one parse, plan and executor start however many rows it carries, where a JDBC batch of single-row
 * statements pays them per row. The driver quotes each element, so any text the ledger accepts (quotes,
 * backslashes, braces, the word NULL) arrives as it was; a Java null is SQL NULL.
 */
final class SqlArrays {
    private SqlArrays() {
    }

    static <T> Array texts(Connection c, List<T> rows, Function<T, String> column) throws SQLException {
        return c.createArrayOf("text", rows.stream().map(column).toArray(String[]::new));
    }

    static <T> Array longs(Connection c, List<T> rows, ToLongFunction<T> column) throws SQLException {
        return c.createArrayOf("bigint", rows.stream().map(row -> column.applyAsLong(row)).toArray(Long[]::new));
    }

    static <T> Array booleans(Connection c, List<T> rows, Predicate<T> column) throws SQLException {
        return c.createArrayOf("boolean", rows.stream().map(column::test).toArray(Boolean[]::new));
    }

    /**
     * As PostgreSQL's own text form of a UTC timestamp, which the statement casts with {@code ?::timestamptz[]}.
     * Not {@link Instant#toString()}: PostgreSQL refuses its {@code +10000} and {@code -0001} years, and a
     * single timestamp parameter took every year PostgreSQL holds (up to 294276, and BC), so the array must too.
     */
    static <T> Array timestamps(Connection c, List<T> rows, Function<T, Instant> column) throws SQLException {
        return c.createArrayOf("text", rows.stream().map(column)
                .map(instant -> instant == null ? null : POSTGRES_UTC.format(instant.atOffset(ZoneOffset.UTC)))
                .toArray(String[]::new));
    }

    private static final DateTimeFormatter POSTGRES_UTC = new DateTimeFormatterBuilder()
            .appendValue(ChronoField.YEAR_OF_ERA, 4, 10, SignStyle.NORMAL)
            .appendPattern("-MM-dd HH:mm:ss.SSSSSSSSS'+00'")
            .appendText(ChronoField.ERA, Map.of(0L, " BC", 1L, ""))
            .toFormatter(Locale.ROOT);
}
