package dev.ledger.api;

import io.javalin.http.ContentTooLargeResponse;
import io.javalin.http.Context;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * Reads a request body up to its route's bound, so that a client cannot make the server buffer
 * megabytes for a request that needs kilobytes. A larger body is a {@code 413} problem, refused
 * from its {@code Content-Length} before it is parsed when it sends one. What is left of a refused
 * body is read and dropped, up to the server's backstop: a client still writing it would otherwise
 * lose the answer to a reset connection instead of reading the 413.
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

    private static final int DROP_CHUNK_BYTES = 16 * 1024;

    private RequestBody() {
    }

    /** @throws ContentTooLargeResponse when the body is longer than {@code maxBytes} */
    static byte[] read(Context ctx, int maxBytes) {
        long declared = ctx.contentLength();
        try (InputStream in = ctx.bodyInputStream()) {
            if (declared > maxBytes) {
                if (declared <= HttpServer.MAX_REQUEST_BYTES) drop(in);
                throw tooLarge(maxBytes);
            }
            // a declared length is read into one array of that length (Jetty holds the client to it);
            // readNBytes(maxBytes + 1) would allocate a 16 KiB chunk for a body of a few hundred bytes
            if (declared >= 0) return in.readNBytes((int) declared);
            byte[] body = in.readNBytes(maxBytes + 1);
            if (body.length > maxBytes) {
                drop(in);
                throw tooLarge(maxBytes);
            }
            return body;
        } catch (IOException e) {
            throw new UncheckedIOException("reading the request body failed", e);
        }
    }

    /** Reads what is left of the body, at most up to the server's backstop, and keeps none of it. */
    private static void drop(InputStream in) throws IOException {
        byte[] sink = new byte[DROP_CHUNK_BYTES];
        long left = HttpServer.MAX_REQUEST_BYTES;
        int read;
        while (left > 0 && (read = in.read(sink, 0, (int) Math.min(sink.length, left))) >= 0) left -= read;
    }

    private static ContentTooLargeResponse tooLarge(int maxBytes) {
        return new ContentTooLargeResponse("the body of this request may be at most " + maxBytes + " bytes");
    }
}
