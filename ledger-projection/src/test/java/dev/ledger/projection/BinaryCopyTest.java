package dev.ledger.projection;

import org.junit.jupiter.api.Test;

import java.sql.SQLException;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The timestamp conversion of the binary COPY rows; the rows themselves are checked through PostgreSQL (ReadModelWriterTest). */
class BinaryCopyTest {
    @Test
    void microseconds_count_from_2000_and_nanoseconds_round_half_to_even_as_postgres_rounds_text() throws SQLException {
        assertThat(BinaryCopy.postgresMicros(Instant.parse("2000-01-01T00:00:00Z"))).isZero();
        assertThat(BinaryCopy.postgresMicros(Instant.parse("1999-12-31T23:59:59.999999Z"))).isEqualTo(-1);
        assertThat(BinaryCopy.postgresMicros(Instant.parse("2000-01-01T00:00:00.000000500Z"))).isZero();
        assertThat(BinaryCopy.postgresMicros(Instant.parse("2000-01-01T00:00:00.000001500Z"))).isEqualTo(2);
        assertThat(BinaryCopy.postgresMicros(Instant.parse("2000-01-01T00:00:00.000000501Z"))).isEqualTo(1);
        assertThat(BinaryCopy.postgresMicros(Instant.parse("2026-03-01T09:00:00.123Z")))
                .isEqualTo(825_670_800_123_000L);
    }

    @Test
    void an_instant_postgres_cannot_hold_is_refused_as_postgres_refuses_it() {
        for (Instant beyond : new Instant[]{Instant.MAX, Instant.MIN, Instant.parse("+294277-01-01T00:00:00Z"),
                Instant.parse("-4713-11-23T23:59:59.999999Z")}) {
            assertThatThrownBy(() -> BinaryCopy.postgresMicros(beyond))
                    .isInstanceOf(SQLException.class)
                    .extracting(e -> ((SQLException) e).getSQLState()).isEqualTo("22008");
        }
    }
}
