package dev.ledger.api;

import io.javalin.http.ContentTooLargeResponse;
import io.javalin.http.Context;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * Reads a request body up to its route's bound, so that a client cannot make the server buffer
 * megabytes for a request that needs kilobytes. A larger body is a {@code 413} problem, refused
 * from its {@code Content-Length} before it is read when it sends one.
 */
final class RequestBody {
    /**
     * One account or transfer: the largest valid one (a 512-character reference, 16 metadata
     * entries of 128 + 1024 characters) is about 230 KiB even when every character is written as a
     * JSON unicode escape, and under 80 KiB in plain UTF-8.
     */
    static final int MAX_SINGLE_BYTES = 256 * 1024;
    /** A batch of up to 1000 transfers: about 4 KiB each; a batch of larger ones must be split. */
    static final int MAX_BATCH_BYTES = 4 * 1024 * 1024;

    private RequestBody() {
    }

    /** @throws ContentTooLargeResponse when the body is longer than {@code maxBytes} */
    static byte[] read(Context ctx, int maxBytes) {
        long declared = ctx.contentLength();
        if (declared > maxBytes) throw tooLarge(maxBytes);
        try (InputStream in = ctx.bodyInputStream()) {
            // a declared length is read into one array of that length (Jetty holds the client to it);
            // readNBytes(maxBytes + 1) would allocate a 16 KiB chunk for a body of a few hundred bytes
            if (declared >= 0) return in.readNBytes((int) declared);
            byte[] body = in.readNBytes(maxBytes + 1);
            if (body.length > maxBytes) throw tooLarge(maxBytes);
            return body;
        } catch (IOException e) {
            throw new UncheckedIOException("reading the request body failed", e);
        }
    }

    private static ContentTooLargeResponse tooLarge(int maxBytes) {
        return new ContentTooLargeResponse("the body of this request may be at most " + maxBytes + " bytes");
    }
}
