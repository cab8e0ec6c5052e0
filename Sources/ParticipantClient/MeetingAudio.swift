/// The audio format of app participants (issue 5, DESIGN.md §3 "Audio"): every SFrame payload is one
/// Opus packet of 20 ms, 48 kHz mono; recordings are 16-bit mono WAV at the same rate.
public enum MeetingAudio {
    /// Samples per second of what the client sends, decodes and records.
    public static let sampleRate = 48_000
    /// One frame: the payload of one SFrame frame, and one slot of the recording timeline.
    public static let frameDuration: Duration = .milliseconds(20)
    /// Samples in one 20 ms frame at 48 kHz.
    public static let samplesPerFrame = 960
    /// The longest frame an Opus packet decodes to: 120 ms at 48 kHz (RFC 6716 §2.1.4).
    public static let maximumDecodedSamples = 5760

    /// Which 20 ms slot `elapsed` (time since joining) falls in; negative durations count as slot 0.
    public static func slot(after elapsed: Duration) -> Int {
        guard elapsed > .zero else { return 0 }
        return Int(elapsed / frameDuration)
    }
}
