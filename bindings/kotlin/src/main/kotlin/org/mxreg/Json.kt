package org.mxreg

/** Just enough JSON writing for `auth` objects: strings and nested objects, nulls left out. */
internal object Json {
    fun obj(vararg members: Pair<String, Any?>): String =
        members.filter { it.second != null }.joinToString(",", "{", "}") { (key, value) ->
            string(key) + ":" + when (value) {
                is String -> string(value)
                is RawJson -> value.text
                else -> throw IllegalArgumentException("unsupported JSON value type for '$key'")
            }
        }

    /** Already-encoded JSON, nested as is. */
    class RawJson(val text: String)

    fun string(value: String): String = buildString(value.length + 2) {
        append('"')
        for (ch in value) {
            when {
                ch == '"' -> append("\\\"")
                ch == '\\' -> append("\\\\")
                ch == '\n' -> append("\\n")
                ch == '\r' -> append("\\r")
                ch == '\t' -> append("\\t")
                ch < ' ' -> append("\\u").append(Integer.toHexString(ch.code).padStart(4, '0'))
                else -> append(ch)
            }
        }
        append('"')
    }
}
