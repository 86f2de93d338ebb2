package dev.ledger.command;

import org.apache.kafka.streams.state.RocksDBConfigSetter;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.Cache;
import org.rocksdb.LRUCache;
import org.rocksdb.Options;
import org.rocksdb.WriteBufferManager;

import java.util.Map;

/**
 * Bounds RocksDB's off-heap memory for every store of this JVM together: one block cache that also
 * holds index and filter blocks and is charged for the memtables. Without it each store (times each
 * partition) sizes its own cache and memtables, and off-heap use grows with the partition count.
 */
public final class BoundedMemoryRocksDbConfig implements RocksDBConfigSetter {
    static final long TOTAL_OFF_HEAP_BYTES = 128L * 1024 * 1024;
    static final long TOTAL_MEMTABLE_BYTES = 32L * 1024 * 1024;
    static final long MEMTABLE_BYTES = 4L * 1024 * 1024;
    private static final double INDEX_FILTER_HIGH_PRIORITY_RATIO = 0.1;

    // shared by all stores: closed never, as they live as long as the JVM
    private static final Cache CACHE = new LRUCache(TOTAL_OFF_HEAP_BYTES, -1, false, INDEX_FILTER_HIGH_PRIORITY_RATIO);
    private static final WriteBufferManager WRITE_BUFFERS = new WriteBufferManager(TOTAL_MEMTABLE_BYTES, CACHE);

    @Override
    public void setConfig(String storeName, Options options, Map<String, Object> configs) {
        var table = (BlockBasedTableConfig) options.tableFormatConfig();
        table.setBlockCache(CACHE);
        table.setCacheIndexAndFilterBlocks(true);
        table.setCacheIndexAndFilterBlocksWithHighPriority(true);
        table.setPinTopLevelIndexAndFilter(true);
        options.setWriteBufferManager(WRITE_BUFFERS);
        options.setWriteBufferSize(MEMTABLE_BYTES);
        options.setMaxWriteBufferNumber(2);
        options.setTableFormatConfig(table);
    }

    @Override
    public void close(String storeName, Options options) {
        // the cache and the write buffer manager are shared: nothing to free per store
    }
}
