package org.mxreg

import com.sun.jna.Pointer
import java.util.concurrent.locks.ReentrantReadWriteLock

/** Access to a native handle that may be closed: reads fail cleanly afterwards. */
internal interface HandleAccess {
    val isClosed: Boolean

    /** Run [block] with the live pointer; [IllegalStateException] once closed. */
    fun <T> read(block: (Pointer) -> T): T

    fun close()
}

/**
 * One owned native handle: freed once, by [close] or by the [Backstop] when
 * [owner] is collected. Reads (calls included) share a read lock and
 * freeing takes the write lock, so a handle is never freed under a call,
 * and a read after close fails with [IllegalStateException] instead of
 * touching freed memory. Types whose calls must not overlap add their own lock.
 */
internal class NativeHandle(owner: Any, private val kind: String, pointer: Pointer, free: (Pointer) -> Unit) :
    HandleAccess {
    private val release = Release(kind, pointer, free)
    private val cleanup: Backstop.Registration

    init {
        LiveHandles.opened(kind)
        cleanup = Backstop.register(owner, release)
    }

    override val isClosed: Boolean get() = release.isReleased

    /** [close] waits for every [block] in progress. */
    override fun <T> read(block: (Pointer) -> T): T {
        release.lock.readLock().lock()
        try {
            return block(release.pointer ?: throw IllegalStateException("this $kind is closed"))
        } finally {
            release.lock.readLock().unlock()
        }
    }

    /** Free the handle now; safe to call more than once and from any thread. */
    override fun close() = cleanup.clean()

    // Holds no reference to the owner, or the owner could never be collected.
    private class Release(private val kind: String, pointer: Pointer, private val free: (Pointer) -> Unit) : Runnable {
        val lock = ReentrantReadWriteLock()

        @Volatile var pointer: Pointer? = pointer
            private set

        val isReleased: Boolean get() = pointer == null

        override fun run() {
            lock.writeLock().lock()
            val taken = try {
                pointer.also { pointer = null }
            } finally {
                lock.writeLock().unlock()
            } ?: return
            free(taken)
            LiveHandles.closed(kind)
        }
    }
}

/**
 * A handle borrowed from a parent handle ([parent]'s [resolve] finds it):
 * valid until the parent closes. Closing the view only ends the view.
 */
internal class BorrowedHandle(
    private val parent: HandleAccess,
    private val what: String,
    private val resolve: (Pointer) -> Pointer?,
) : HandleAccess {
    @Volatile private var closed = false

    override val isClosed: Boolean get() = closed || parent.isClosed

    override fun <T> read(block: (Pointer) -> T): T = parent.read { parentPointer ->
        check(!closed) { "this $what is closed" }
        block(resolve(parentPointer) ?: throw IllegalStateException("the $what is gone"))
    }

    override fun close() {
        closed = true
    }
}
