package org.mxreg

import java.io.File

/**
 * Just enough of a C parser for `include/mxreg.h` as cbindgen writes it:
 * `#define`s, enums, request structs, opaque types and function
 * declarations. Used to check the JNA mirror against the header.
 */
class CHeader(source: String) {
    data class Param(val type: CType, val name: String)

    data class Function(val name: String, val returns: CType, val params: List<Param>)

    /** A C type reduced to what the mapping needs: `const`, base name, pointer depth. */
    data class CType(val isConst: Boolean, val base: String, val stars: Int) {
        override fun toString(): String =
            (if (isConst) "const " else "") + base + (if (stars > 0) " " + "*".repeat(stars) else "")
    }

    val defines: Map<String, String>
    val enums: Map<String, Map<String, Long>>
    val structs: Map<String, List<Param>>
    val opaqueTypes: Set<String>
    val functions: Map<String, Function>

    init {
        val noComments = source
            .replace(Regex("/\\*.*?\\*/", RegexOption.DOT_MATCHES_ALL), " ")
            .replace(Regex("//[^\\n]*"), " ")
        defines = Regex("^#define[ \\t]+(MXREG_\\w+)[ \\t]+(\\S.*)$", RegexOption.MULTILINE)
            .findAll(noComments)
            .associate { it.groupValues[1] to it.groupValues[2].trim() }
        val code = noComments.replace(Regex("^\\s*#.*$", RegexOption.MULTILINE), " ")

        enums = Regex("enum\\s+(mxreg_\\w+)\\s*(?::\\s*\\w+\\s*)?\\{(.*?)\\}", RegexOption.DOT_MATCHES_ALL)
            .findAll(code)
            .associate { match ->
                match.groupValues[1] to match.groupValues[2].split(',').map(String::trim).filter(String::isNotEmpty)
                    .associate { entry ->
                        val (name, value) = entry.split('=', limit = 2).map(String::trim)
                        name to evaluate(value)
                    }
            }
        structs = Regex("typedef\\s+struct\\s+(mxreg_\\w+)\\s*\\{(.*?)\\}\\s*\\w+\\s*;", RegexOption.DOT_MATCHES_ALL)
            .findAll(code)
            .associate { match ->
                match.groupValues[1] to match.groupValues[2].split(';').map(String::trim).filter(String::isNotEmpty)
                    .map(::declaration)
            }
        opaqueTypes = Regex("typedef\\s+struct\\s+(mxreg_\\w+)\\s+\\w+\\s*;")
            .findAll(code).map { it.groupValues[1] }.toSet()

        val externStart = code.indexOf("extern \"C\" {")
        require(externStart >= 0) { "no extern \"C\" block in the header" }
        functions = code.substring(externStart + "extern \"C\" {".length)
            .split(';')
            .map { it.trim() }
            .filter { it.contains('(') }
            .map { declarationText ->
                val match = Regex("^(.*?)\\b(mxreg_\\w+)\\s*\\((.*)\\)$", RegexOption.DOT_MATCHES_ALL)
                    .find(declarationText) ?: error("cannot parse declaration: $declarationText")
                val (returns, name, params) = match.destructured
                val paramList = params.trim().let { text ->
                    if (text == "void" || text.isEmpty()) emptyList() else text.split(',').map { declaration(it.trim()) }
                }
                Function(name, type(returns), paramList)
            }
            .associateBy { it.name }
    }

    private fun declaration(text: String): Param {
        val normalized = text.replace(Regex("\\s+"), " ").trim()
        val match = Regex("^(.*?)(\\w+)$").find(normalized) ?: error("cannot parse declaration: $text")
        return Param(type(match.groupValues[1]), match.groupValues[2])
    }

    private fun type(text: String): CType {
        val stars = text.count { it == '*' }
        val words = text.replace("*", " ").split(Regex("\\s+")).filter(String::isNotEmpty)
        val isConst = "const" in words
        val base = words.filter { it != "const" && it != "struct" }.joinToString(" ")
        return CType(isConst, base, stars)
    }

    /** An enum value: a decimal literal or `(a << b)`. */
    private fun evaluate(expression: String): Long {
        val bare = expression.replace("(", "").replace(")", "").replace(" ", "")
        return if ("<<" in bare) {
            val (left, right) = bare.split("<<")
            left.toLong() shl right.toInt()
        } else {
            bare.toLong()
        }
    }

    companion object {
        /** The header the tests run against: `-Dmxreg.header`, else the repository's. */
        fun load(): CHeader {
            val path = System.getProperty("mxreg.header") ?: "include/mxreg.h"
            val file = File(path)
            require(file.isFile) { "header not found at '$path' (set -Dmxreg.header)" }
            return CHeader(file.readText())
        }
    }
}
