import Foundation
import Meetings

/// Records what a client hears (DESIGN.md §3, `--record` and `--record-dir`): the mix of everyone
/// into one WAV file, and each sender into a file of its own, all 48 kHz 16-bit mono on one 20 ms
/// timeline that starts when the client joined (`RecordingTimeline`), silent where nothing arrived.
///
/// Per-sender files are named `<participant id>-<name>.wav` (the name reduced to letters, digits,
/// `-`, `_` and `.`), or `sender-<index>.wav` for a sender not in the roster. Each file starts at the
/// join, so every file of one run lines up with every other. Owned by one actor; not `Sendable`.
public final class MeetingRecorder {
    /// How far behind the newest slot the mix is finished while the meeting runs: frames may arrive
    /// up to this late (jitter, the gateway's queue) and still be mixed.
    public static let mixDelaySlots = 25

    /// The mix file, if recording one.
    public let mixPath: String?
    /// The per-sender directory, if recording one.
    public let directory: String?

    private var timeline = RecordingTimeline()
    private let mix: WAVStreamWriter?
    private var tracks: [UInt64: Track] = [:]
    private var finished = false

    private struct Track {
        let writer: WAVStreamWriter
        /// Slots `0..<slots` are in the file.
        var slots = 0
    }

    /// Starts recording the mix to `mixPath` and/or one file per sender into `directory` (created if
    /// missing).
    public init(mixPath: String?, directory: String?) throws(ParticipantClientError) {
        self.mixPath = mixPath
        self.directory = directory
        if let directory {
            do {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            } catch {
                throw .recording(path: directory, reason: "cannot create the directory: \(error.localizedDescription)")
            }
        }
        mix = try mixPath.map { (path) throws(ParticipantClientError) in try WAVStreamWriter(path: path) }
    }

    /// Frames dropped from the mix (late, or a sender running ahead of real time).
    public var droppedFrames: Int { timeline.droppedFrames }

    /// The files written so far: the mix first, then the senders by index.
    public var paths: [String] {
        (mixPath.map { [$0] } ?? []) + tracks.sorted { $0.key < $1.key }.map(\.value.writer.path)
    }

    /// Records one decoded frame from `senderIndex` (shown as `participant`) that arrived in `arrivalSlot`.
    public func record(
        _ pcm: UnsafeBufferPointer<Int16>, senderIndex: UInt64, participant: Participant?, arrivalSlot: Int
    ) throws(ParticipantClientError) {
        guard !finished, let slot = timeline.place(sender: senderIndex, arrivalSlot: arrivalSlot) else { return }
        if let mix {
            do {
                try timeline.add(pcm, at: slot) { try mix.write($0) }
            } catch {
                throw error as? ParticipantClientError ?? .recording(path: mix.path, reason: "\(error)")
            }
        }
        guard let directory else { return }
        var track: Track
        if let existing = tracks[senderIndex] {
            track = existing
        } else {
            track = Track(writer: try WAVStreamWriter(path: Self.path(in: directory, senderIndex, participant)))
        }
        // Slots only move forward per sender (`place`), so the gap is never negative.
        try track.writer.writeSilence((slot - track.slots) * RecordingTimeline.samplesPerSlot)
        let frame = UnsafeBufferPointer(rebasing: pcm.prefix(RecordingTimeline.samplesPerSlot))
        try track.writer.write(frame)
        try track.writer.writeSilence(RecordingTimeline.samplesPerSlot - frame.count)
        track.slots = slot + 1
        tracks[senderIndex] = track
    }

    /// Finishes the mix up to `mixDelaySlots` before `slot` (call it every frame period or so, so the
    /// mix file grows while the meeting runs).
    public func advance(to slot: Int) throws(ParticipantClientError) {
        guard !finished, let mix else { return }
        do {
            try timeline.flush(before: slot - Self.mixDelaySlots) { try mix.write($0) }
        } catch {
            throw error as? ParticipantClientError ?? .recording(path: mix.path, reason: "\(error)")
        }
    }

    /// Pads every file with silence to `endSlot` (the slot the client left in) and closes them.
    public func finish(endSlot: Int) throws(ParticipantClientError) {
        guard !finished else { return }
        finished = true
        if let mix {
            do {
                try timeline.flush(before: max(endSlot, timeline.finishedSlots)) { try mix.write($0) }
            } catch {
                throw error as? ParticipantClientError ?? .recording(path: mix.path, reason: "\(error)")
            }
            try mix.close()
        }
        for (_, track) in tracks.sorted(by: { $0.key < $1.key }) {
            try track.writer.writeSilence(max(endSlot - track.slots, 0) * RecordingTimeline.samplesPerSlot)
            try track.writer.close()
        }
    }

    /// `<directory>/<id>-<name>.wav`, or `<directory>/sender-<index>.wav`.
    static func path(in directory: String, _ senderIndex: UInt64, _ participant: Participant?) -> String {
        let base: String
        if let participant {
            let name = String(
                participant.name.unicodeScalars.prefix(48).map { scalar -> Character in
                    scalar.isASCII && (CharacterSet.alphanumerics.contains(scalar) || "-_.".unicodeScalars.contains(scalar))
                        ? Character(scalar) : "_"
                })
            base = "\(participant.id.rawValue)-\(name.isEmpty ? "participant" : name)"
        } else {
            base = "sender-\(senderIndex)"
        }
        return (directory as NSString).appendingPathComponent(base + ".wav")
    }
}
