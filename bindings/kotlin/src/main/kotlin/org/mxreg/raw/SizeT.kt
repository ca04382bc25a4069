package org.mxreg.raw

import com.sun.jna.IntegerType
import com.sun.jna.Native

/** C `size_t`: as wide as the platform's pointers (8 bytes on 64-bit ABIs, 4 on armeabi-v7a). */
public class SizeT(value: Long) : IntegerType(Native.SIZE_T_SIZE, value, true) {
    /** JNA builds return values through this constructor. */
    public constructor() : this(0)

    // kotlin.Number declares these abstract; java.lang.Number's versions are not seen.
    override fun toByte(): Byte = toLong().toByte()

    override fun toShort(): Short = toLong().toShort()
}
