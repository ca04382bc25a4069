package org.mxreg

import com.sun.jna.Pointer
import com.sun.jna.Structure
import com.sun.jna.ptr.ByteByReference
import com.sun.jna.ptr.PointerByReference
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.mxreg.raw.LoadedLibrary
import org.mxreg.raw.MxregLibrary
import org.mxreg.raw.SizeT
import java.lang.reflect.Modifier

/**
 * Keeps the JNA mirror in step with `include/mxreg.h`, mechanically: every
 * function mapped with a fitting signature (and nothing mapped that the
 * header lacks), every struct mirrored field for field and size-checked at
 * load, every enum and `#define` mirrored with the same values, and every
 * `MXREG_RESULT_*` with its own exception class. A function, code or field
 * added to the header makes this fail until the binding covers it.
 */
class HeaderConsistencyTest {
    private val header = CHeader.load()

    private enum class Position { PARAM, RETURN, FIELD }

    /** The Java types a C type may be mapped to; empty when no rule covers it. */
    private fun javaTypesFor(type: CHeader.CType, position: Position): Set<Class<*>> {
        val base = type.base
        return when (type.stars) {
            0 -> when (base) {
                "void" -> setOf(Void.TYPE)
                "bool", "uint8_t", "int8_t" -> setOf(java.lang.Byte.TYPE)
                "uint16_t", "int16_t" -> setOf(java.lang.Short.TYPE)
                "uint32_t", "int32_t" -> setOf(Integer.TYPE)
                "uint64_t", "int64_t" -> setOf(java.lang.Long.TYPE)
                "size_t" -> setOf(SizeT::class.java)
                "double" -> setOf(java.lang.Double.TYPE)
                in header.enums.keys -> setOf(Integer.TYPE)
                else -> emptySet()
            }
            1 -> when {
                // Arguments are caller-owned native copies (wiped after the
                // call); borrowed results are copied into Strings.
                base == "char" && type.isConst && position == Position.RETURN -> setOf(String::class.java)
                base == "char" -> setOf(Pointer::class.java)
                base == "bool" && !type.isConst && position == Position.PARAM -> setOf(ByteByReference::class.java)
                base in header.structs.keys && position == Position.PARAM -> setOf(mirrorClass(base))
                base in header.opaqueTypes -> setOf(Pointer::class.java)
                else -> emptySet()
            }
            // Out-parameters; in a struct, a pointer to an array (`const char *const *`).
            2 -> when (position) {
                Position.PARAM -> setOf(PointerByReference::class.java)
                Position.FIELD -> setOf(Pointer::class.java)
                Position.RETURN -> emptySet()
            }
            else -> emptySet()
        }
    }

    private fun mirrorClass(cName: String): Class<*> = Class.forName("org.mxreg.raw." + camel(cName))

    /** `MXREG_RESULT_OAUTH_ERROR` -> `OAuthError` (Kotlin spelling of the acronym). */
    private fun exceptionName(code: String): String = camel(code.removePrefix("MXREG_RESULT_")).replace("Oauth", "OAuth")

    private fun camel(snake: String): String =
        snake.lowercase().split('_').joinToString("") { part -> part.replaceFirstChar(Char::uppercaseChar) }

    @Test
    fun everyHeaderFunctionIsMappedWithAFittingSignature() {
        val methods = MxregLibrary::class.java.declaredMethods.groupBy { it.name }
        val problems = mutableListOf<String>()
        for (function in header.functions.values) {
            val overloads = methods[function.name]
            if (overloads == null) {
                problems += "${function.name}: declared in the header, not mapped in MxregLibrary"
                continue
            }
            val method = overloads.single()
            if (method.parameterCount != function.params.size) {
                problems += "${function.name}: ${function.params.size} parameters in C, ${method.parameterCount} mapped"
                continue
            }
            val returns = javaTypesFor(function.returns, Position.RETURN)
            if (returns.isEmpty()) problems += "${function.name}: no mapping rule for return type ${function.returns}"
            else if (method.returnType !in returns) {
                problems += "${function.name}: returns ${function.returns}, mapped as ${method.returnType.name} (want one of $returns)"
            }
            function.params.zip(method.parameterTypes).forEach { (param, javaType) ->
                val allowed = javaTypesFor(param.type, Position.PARAM)
                if (allowed.isEmpty()) problems += "${function.name}(${param.name}): no mapping rule for ${param.type}"
                else if (javaType !in allowed) {
                    problems += "${function.name}(${param.name}): ${param.type} mapped as ${javaType.name} (want one of $allowed)"
                }
            }
        }
        for (name in methods.keys - header.functions.keys) {
            problems += "$name: mapped in MxregLibrary, not in the header"
        }
        assertTrue(problems.isEmpty(), problems.joinToString("\n", "JNA mirror out of step with the header:\n"))
        assertTrue(header.functions.size >= 40, "parsed only ${header.functions.size} functions: parser broken?")
    }

    @Test
    fun everyRequestStructIsMirroredFieldForFieldAndSizeCheckedAtLoad() {
        val problems = mutableListOf<String>()
        for ((name, fields) in header.structs) {
            val mirror = runCatching { mirrorClass(name) }.getOrNull()
            if (mirror == null || !Structure::class.java.isAssignableFrom(mirror)) {
                problems += "$name: no Structure mirror org.mxreg.raw.${camel(name)}"
                continue
            }
            val order = mirror.getAnnotation(Structure.FieldOrder::class.java)?.value?.toList()
            if (order != fields.map { it.name }) problems += "$name: fields ${fields.map { it.name }}, mirror has $order"
            for (field in fields) {
                val javaType = runCatching { mirror.getField(field.name).type }.getOrNull() ?: continue
                val allowed = javaTypesFor(field.type, Position.FIELD)
                if (javaType !in allowed) problems += "$name.${field.name}: ${field.type} mirrored as ${javaType.name}"
            }
            if ("${name}_size" !in header.functions) problems += "$name: the header has no ${name}_size()"
            val checked = LoadedLibrary.mirroredStructs[name]
            if (checked == null) {
                problems += "$name: not in LoadedLibrary.mirroredStructs (size not checked at load)"
            } else {
                val ours = checked.create().size().toLong()
                val theirs = checked.librarySize(LoadedLibrary.library).toLong()
                if (ours != theirs) problems += "$name: mirror is $ours bytes, the library's is $theirs"
            }
        }
        for (name in LoadedLibrary.mirroredStructs.keys - header.structs.keys) {
            problems += "$name: size-checked at load but not in the header"
        }
        assertTrue(problems.isEmpty(), problems.joinToString("\n", "struct mirrors out of step with the header:\n"))
        assertTrue(header.structs.isNotEmpty(), "no struct parsed: parser broken?")
    }

    @Test
    fun everyEnumIsMirroredWithTheSameValues() {
        val problems = mutableListOf<String>()
        for ((name, constants) in header.enums) {
            val mirror = runCatching { mirrorClass(name) }.getOrNull()
            if (mirror == null) {
                problems += "$name: no constants object org.mxreg.raw.${camel(name)}"
                continue
            }
            val prefix = name.uppercase() + "_"
            val mirrored = mirror.declaredFields
                .filter { Modifier.isStatic(it.modifiers) && it.name != "INSTANCE" }
                .associate { it.name to (it.get(null) as Number).toLong() }
            val expected = constants.mapKeys { (constant, _) -> constant.removePrefix(prefix) }
            if (mirrored != expected) problems += "$name: header $expected, mirror $mirrored"
        }
        assertTrue(problems.isEmpty(), problems.joinToString("\n", "enum mirrors out of step with the header:\n"))
        assertTrue("mxreg_result" in header.enums, "mxreg_result not parsed: parser broken?")
    }

    @Test
    fun everyDefineIsMirroredWithTheSameValue() {
        val constants = Class.forName("org.mxreg.raw.HeaderConstantsKt")
        val problems = mutableListOf<String>()
        for ((name, value) in header.defines) {
            val field = runCatching { constants.getField(name) }.getOrNull()
            val mirrored = field?.get(null)
            val expected: Any = if (value.startsWith('"')) value.trim('"') else value.toInt()
            if (mirrored != expected) problems += "#define $name $value: mirrored as $mirrored"
        }
        assertTrue(problems.isEmpty(), problems.joinToString("\n", "defines out of step with the header:\n"))
        assertTrue("MXREG_ABI_VERSION" in header.defines, "MXREG_ABI_VERSION not parsed: parser broken?")
    }

    @Test
    fun everyResultCodeHasItsOwnExceptionClass() {
        val codes = header.enums.getValue("mxreg_result").filterKeys { it != "MXREG_RESULT_OK" }
        val problems = mutableListOf<String>()
        val expectedNames = codes.keys.map(::exceptionName).toSet()
        for ((name, value) in codes) {
            val exception = MxregException.of(ErrorDetail(value.toInt(), name, "test"))
            val want = exceptionName(name)
            if (exception.javaClass.simpleName != want) {
                problems += "$name ($value): raises ${exception.javaClass.simpleName}, want MxregException.$want"
            }
        }
        val leaves = MxregException::class.java.declaredClasses
            .filter { MxregException::class.java.isAssignableFrom(it) && !Modifier.isAbstract(it.modifiers) }
            .map { it.simpleName }
            .toSet()
        for (stale in leaves - expectedNames - "Unknown") problems += "MxregException.$stale: no such code in the header"
        assertTrue(problems.isEmpty(), problems.joinToString("\n", "exceptions out of step with the header:\n"))
        assertEquals(expectedNames + "Unknown", leaves)
    }
}
