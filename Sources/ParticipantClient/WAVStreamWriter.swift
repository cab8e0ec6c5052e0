import Foundation
import Media

/// Writes a 16-bit mono PCM WAV file as the samples come, so a long recording never sits in memory.
///
/// The header is the canonical 44 bytes `WAVFile` writes; its two sizes are patched whenever the
/// buffered samples go to disk (every `flushBytes`) and at `close`, so a recording cut short by a
/// crash is still a valid file up to its last flush. Owned by one actor; not `Sendable`.
public final class WAVStreamWriter {
    /// Bytes buffered before they are written (about 0.7 s at 48 kHz).
    public static let flushBytes = 64 * 1024
    /// Data bytes a RIFF file can describe (its sizes are 32-bit); samples past it are dropped, counted.
    public static let maximumDataBytes = Int(UInt32.max) - 36

    public let path: String
    public let sampleRate: Int
    /// Samples in the file (written or buffered).
    public private(set) var samplesWritten = 0
    /// Samples dropped past `maximumDataBytes`.
    public private(set) var samplesDropped = 0

    private let handle: FileHandle
    private var buffer: [UInt8] = []
    private var closed = false

    /// Creates (or truncates) `path` and writes the header.
    public init(path: String, sampleRate: Int = MeetingAudio.sampleRate) throws(ParticipantClientError) {
        self.path = path
        self.sampleRate = sampleRate
        guard FileManager.default.createFile(atPath: path, contents: nil), let handle = FileHandle(forWritingAtPath: path) else {
            throw .recording(path: path, reason: "cannot create the file")
        }
        self.handle = handle
        buffer.reserveCapacity(Self.flushBytes + 2 * MeetingAudio.maximumDecodedSamples)
        do {
            let header = try WAVFile(sampleRate: sampleRate, samples: []).serialized()
            try handle.write(contentsOf: header)
        } catch {
            throw .recording(path: path, reason: "\(error)")
        }
    }

    deinit {
        if !closed { try? handle.close() }
    }

    /// Appends samples.
    public func write(_ samples: UnsafeBufferPointer<Int16>) throws(ParticipantClientError) {
        guard !closed else { throw .recording(path: path, reason: "written after it was closed") }
        let room = (Self.maximumDataBytes / 2) - samplesWritten
        let count = min(samples.count, max(room, 0))
        samplesDropped += samples.count - count
        for index in 0..<count {
            let value = UInt16(bitPattern: samples[index])
            buffer.append(UInt8(truncatingIfNeeded: value))
            buffer.append(UInt8(value >> 8))
        }
        samplesWritten += count
        if buffer.count >= Self.flushBytes { try flush() }
    }

    /// Appends `count` samples of silence.
    public func writeSilence(_ count: Int) throws(ParticipantClientError) {
        guard !closed else { throw .recording(path: path, reason: "written after it was closed") }
        let room = (Self.maximumDataBytes / 2) - samplesWritten
        let written = min(max(count, 0), max(room, 0))
        samplesDropped += max(count, 0) - written
        var remaining = written
        while remaining > 0 {
            let chunk = min(remaining, Self.flushBytes / 2)
            buffer.append(contentsOf: repeatElement(0, count: 2 * chunk))
            samplesWritten += chunk
            remaining -= chunk
            if buffer.count >= Self.flushBytes { try flush() }
        }
    }

    /// Writes what is buffered and patches the header's sizes.
    public func flush() throws(ParticipantClientError) {
        guard !closed else { return }
        do {
            if !buffer.isEmpty { try handle.write(contentsOf: buffer) }
            buffer.removeAll(keepingCapacity: true)
            let dataBytes = UInt32(samplesWritten * 2)
            try handle.seek(toOffset: 4)
            try handle.write(contentsOf: Self.littleEndian(36 + dataBytes))
            try handle.seek(toOffset: 40)
            try handle.write(contentsOf: Self.littleEndian(dataBytes))
            _ = try handle.seekToEnd()
        } catch {
            throw .recording(path: path, reason: "\(error)")
        }
    }

    /// Flushes and closes the file. Further writes are errors.
    public func close() throws(ParticipantClientError) {
        guard !closed else { return }
        try flush()
        closed = true
        do {
            try handle.close()
        } catch {
            throw .recording(path: path, reason: "\(error)")
        }
    }

    static func littleEndian(_ value: UInt32) -> [UInt8] {
        (0..<4).map { UInt8(truncatingIfNeeded: value >> UInt32(8 * $0)) }
    }
}
