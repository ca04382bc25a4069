import CMxreg

/// The server's user-interactive auth answer: the flows it accepts (each a
/// list of stage types), the stages already completed, the per-stage
/// `params` as JSON text, and the session to send back with the next stage.
public struct AuthInfo: Sendable, Equatable {
    public let session: String?
    public let flows: [[String]]
    public let completed: [String]
    public let paramsJSON: String

    /// The stages of `flow` not completed yet, in order.
    public func remaining(_ flow: [String]) -> [String] {
        flow.filter { !completed.contains($0) }
    }

    /// The first flow whose remaining stages are all in `supported`.
    public func firstFlow(within supported: Set<String>) -> [String]? {
        flows.first { remaining($0).allSatisfy(supported.contains) }
    }

    /// Copy a borrowed `mxreg_auth_info` (its parent stays alive during the call).
    init(native info: OpaquePointer) {
        session = copied(mxreg_auth_info_session(info))
        flows = (0..<mxreg_auth_info_flow_count(info)).map { flow in
            (0..<mxreg_auth_info_flow_stage_count(info, flow)).compactMap { copied(mxreg_auth_info_flow_stage(info, flow, $0)) }
        }
        completed = (0..<mxreg_auth_info_completed_count(info)).compactMap { copied(mxreg_auth_info_completed(info, $0)) }
        paramsJSON = copied(mxreg_auth_info_params_json(info)) ?? "{}"
    }
}
