/// How one job went: one of the `results` a plugin answers `io.kawal.PluginJobs.Run` with (the IDL's
/// `Result`), and what kawald's own services (reminders, built-in jobs) settle their jobs with.
///
/// ```json
/// {"id":7,"ok":true}
/// {"error":"gammu-smsd is not running","id":8,"ok":false,"retryable":true}
/// ```
public struct JobResult: Codable, Sendable, Equatable {
    public var id: Int64
    /// Done (acknowledged). Otherwise failed.
    public var ok: Bool
    /// For a failure: tried again later with back-off; without, the job goes to the dead letters.
    public var retryable: Bool
    /// For a failure: why. No addresses or phone numbers: it is shown to administrators.
    public var error: String?

    enum CodingKeys: String, CodingKey {
        case id, ok, retryable, error
    }

    public init(id: Int64, ok: Bool, retryable: Bool, error: String?) {
        self.id = id
        self.ok = ok
        self.retryable = retryable
        self.error = error
    }

    /// Job `id` is done.
    public static func done(_ id: Int64) -> JobResult { JobResult(id: id, ok: true, retryable: false, error: nil) }

    /// Job `id` failed; with `retryable` it is tried again later.
    public static func failed(_ id: Int64, _ message: String, retryable: Bool) -> JobResult {
        JobResult(id: id, ok: false, retryable: retryable, error: message)
    }

    /// `retryable` and `error` are optional in the IDL: a missing `retryable` means false.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(Int64.self, forKey: .id)
        ok = try container.decode(Bool.self, forKey: .ok)
        retryable = try container.decodeIfPresent(Bool.self, forKey: .retryable) ?? false
        error = try container.decodeIfPresent(String.self, forKey: .error)
    }

    /// A success is `id` and `ok` alone, as plugins have always answered it.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(ok, forKey: .ok)
        if !ok {
            try container.encode(retryable, forKey: .retryable)
            try container.encodeIfPresent(error, forKey: .error)
        }
    }
}
