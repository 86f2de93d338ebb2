-- Events of ledger.events the projection could not apply, and every later event of the same
-- partition, kept in offset order until they can be (see ledger-projection's ParkedEvents). A partition
-- with rows here is "stuck": its accounts and transfers are not current, and the API answers 503 for
-- them. The offsets the projection commits cover these rows, so the rows are the only copy the read
-- model has: never delete one by hand (README: "A stuck read-model partition").
CREATE TABLE projection_parked (
    topic           text        NOT NULL,
    event_partition integer     NOT NULL CHECK (event_partition >= 0),
    event_offset    bigint      NOT NULL CHECK (event_offset >= 0),
    event_index     integer     NOT NULL DEFAULT 0 CHECK (event_index >= 0), -- the event's place in its record (a batch)
    record_key      bytea,                -- as written: a foreign producer's key need not be text
    event_id        text,                 -- when the record could be read
    reason          text        NOT NULL, -- why the partition is stuck (on its first row) or parked behind it
    raw_value       bytea,                -- the event's bytes exactly as read (the whole record's if it could not be split)
    parked_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (topic, event_partition, event_offset, event_index)
);
