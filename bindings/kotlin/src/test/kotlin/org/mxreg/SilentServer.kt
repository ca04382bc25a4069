package org.mxreg

import java.io.Closeable
import java.net.InetAddress
import java.net.ServerSocket
import java.net.Socket
import java.util.concurrent.CopyOnWriteArrayList
import kotlin.concurrent.thread

/** A loopback server that accepts connections and never answers: for timeouts. */
class SilentServer : Closeable {
    private val server = ServerSocket(0, 16, InetAddress.getLoopbackAddress())
    private val held = CopyOnWriteArrayList<Socket>()
    val url: String = "http://127.0.0.1:${server.localPort}"

    init {
        thread(isDaemon = true, name = "silent-server") {
            runCatching { while (true) held += server.accept() }
        }
    }

    override fun close() {
        server.close()
        held.forEach { runCatching { it.close() } }
    }
}
