package org.mxreg

import com.sun.jna.Pointer
import org.mxreg.raw.MxregLibrary
import org.mxreg.raw.SizeT

/**
 * The server's user-interactive auth answer: the [flows] it accepts (each a
 * list of stage types), the stages already [completed], the per-stage
 * `params` as JSON text, and the [session] to send back with the next stage.
 */
public data class AuthInfo(
    public val session: String?,
    public val flows: List<List<String>>,
    public val completed: List<String>,
    public val paramsJson: String,
) {
    /** The stages of [flow] not completed yet, in order. */
    public fun remaining(flow: List<String>): List<String> = flow.filter { it !in completed }

    /** The first flow whose remaining stages are all in [supported], or null when none is. */
    public fun firstFlowWithin(supported: Set<String>): List<String>? =
        flows.firstOrNull { flow -> remaining(flow).all { it in supported } }

    internal companion object {
        val NONE = AuthInfo(null, emptyList(), emptyList(), "{}")

        /** Copy a borrowed `mxreg_auth_info` (its parent must stay alive during the call). */
        fun read(lib: MxregLibrary, info: Pointer): AuthInfo {
            val flowCount = lib.mxreg_auth_info_flow_count(info).toLong()
            val flows = (0 until flowCount).map { flow ->
                val stageCount = lib.mxreg_auth_info_flow_stage_count(info, SizeT(flow)).toLong()
                (0 until stageCount).mapNotNull { stage ->
                    lib.mxreg_auth_info_flow_stage(info, SizeT(flow), SizeT(stage))
                }
            }
            val completedCount = lib.mxreg_auth_info_completed_count(info).toLong()
            val completed = (0 until completedCount).mapNotNull { lib.mxreg_auth_info_completed(info, SizeT(it)) }
            return AuthInfo(
                session = lib.mxreg_auth_info_session(info),
                flows = flows,
                completed = completed,
                paramsJson = lib.mxreg_auth_info_params_json(info) ?: "{}",
            )
        }
    }
}
