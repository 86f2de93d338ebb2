package dev.ledger.launcher;

/** Reads samples out of a Prometheus scrape, the text the ledger's {@code /metrics} serves. */
final class PrometheusText {
    private PrometheusText() {
    }

    /**
     * The sum of the values of every sample line that starts with {@code linePrefix} (a metric's name,
     * or its name and the opening of its labels) and holds {@code labelFragment}: a counter summed over
     * the threads or tasks that each report their own.
     */
    static double sum(String scrape, String linePrefix, String labelFragment) {
        return scrape.lines()
                .filter(line -> line.startsWith(linePrefix) && line.contains(labelFragment))
                .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
                .sum();
    }
}
