package org.mxreg

import java.util.concurrent.ConcurrentHashMap
import java.util.concurrent.atomic.AtomicInteger

/**
 * Counts the native handles this binding holds, by kind (a leak counter in
 * the manner of UniFFI's): tests assert that every count is back to zero.
 */
internal object LiveHandles {
    private val counts = ConcurrentHashMap<String, AtomicInteger>()

    fun opened(kind: String) {
        counts.computeIfAbsent(kind) { AtomicInteger() }.incrementAndGet()
    }

    fun closed(kind: String) {
        counts.getValue(kind).decrementAndGet()
    }

    fun snapshot(): Map<String, Int> =
        counts.mapValues { it.value.get() }.filterValues { it != 0 }
}
