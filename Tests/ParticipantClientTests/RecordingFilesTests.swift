import Foundation
import Media
import Meetings
import Testing

@testable import ParticipantClient

@Suite("Recording files: the client's WAV writer and the per-sender and mixed recordings")
struct RecordingFilesTests {
    static func read(_ path: String) throws -> WAVFile {
        try WAVFile(bytes: Array(try #require(FileManager.default.contents(atPath: path))))
    }

    @Test func wavWriterRoundTripsThroughTheMediaReader() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("round-trip.wav")
        let writer = try WAVStreamWriter(path: path)
        let samples: [Int16] = [0, 1, -1, .max, .min, 12_345, -12_345]
        try samples.withUnsafeBufferPointer { try writer.write($0) }
        try writer.writeSilence(3)
        try writer.close()
        let file = try Self.read(path)
        #expect(file.sampleRate == 48_000)
        #expect(file.samples == samples + [0, 0, 0])
        #expect(try file.serialized() == Array(try #require(FileManager.default.contents(atPath: path))))
        #expect(throws: ParticipantClientError.self) { try samples.withUnsafeBufferPointer { try writer.write($0) } }
    }

    /// The header is patched at every flush, so a recording cut short stays readable.
    @Test func aFlushedFileIsValidBeforeItIsClosed() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("open.wav")
        let writer = try WAVStreamWriter(path: path)
        try writer.writeSilence(WAVStreamWriter.flushBytes)  // 2 bytes a sample: flushes on the way
        #expect(try Self.read(path).samples.count >= WAVStreamWriter.flushBytes / 2)
        try writer.flush()
        #expect(try Self.read(path).samples.count == WAVStreamWriter.flushBytes)
        try writer.close()
    }

    @Test func perSenderFilesAndTheMixShareOneTimelineFromTheJoin() throws {
        let directory = try TemporaryDirectory()
        let recorder = try MeetingRecorder(mixPath: directory.file("mix.wav"), directory: directory.file("senders"))
        let alice = Participant(id: 1, name: "Alice ünd/../Bob", kind: .app, senderIndex: 1)
        let tone = sineFrame(frequency: 440)
        let other = sineFrame(frequency: 1000, amplitude: 4000)
        // Alice in slots 2 and 3 (the second arrived bunched in slot 2); a phone leg without a roster entry in slot 4.
        try tone.withUnsafeBufferPointer { pcm in
            try recorder.record(pcm, senderIndex: 1, participant: alice, arrivalSlot: 2)
            try recorder.record(pcm, senderIndex: 1, participant: alice, arrivalSlot: 2)
        }
        try other.withUnsafeBufferPointer { try recorder.record($0, senderIndex: 9, participant: nil, arrivalSlot: 4) }
        try recorder.finish(endSlot: 6)

        let slot = RecordingTimeline.samplesPerSlot
        let silence = [Int16](repeating: 0, count: slot)
        #expect(
            recorder.paths == [
                directory.file("mix.wav"), directory.file("senders/1-Alice__nd_.._Bob.wav"), directory.file("senders/sender-9.wav"),
            ])
        let aliceFile = try Self.read(directory.file("senders/1-Alice__nd_.._Bob.wav"))
        #expect(aliceFile.samples == silence + silence + tone + tone + silence + silence)
        let phoneFile = try Self.read(directory.file("senders/sender-9.wav"))
        #expect(phoneFile.samples == Array(repeating: 0, count: 4 * slot) + other + silence)
        let mix = try Self.read(directory.file("mix.wav"))
        #expect(mix.samples == silence + silence + tone + tone + other + silence)
    }

    @Test func aRecordingOfNothingIsSilenceAsLongAsTheStay() throws {
        let directory = try TemporaryDirectory()
        let recorder = try MeetingRecorder(mixPath: directory.file("mix.wav"), directory: nil)
        try recorder.advance(to: 40)
        #expect(
            try Self.read(directory.file("mix.wav")).samples.count <= (40 - MeetingRecorder.mixDelaySlots)
                * RecordingTimeline.samplesPerSlot)
        try recorder.finish(endSlot: 50)
        let mix = try Self.read(directory.file("mix.wav"))
        #expect(mix.samples.count == 50 * RecordingTimeline.samplesPerSlot)
        #expect(mix.samples.allSatisfy { $0 == 0 })
    }

    @Test func sendableWAVMustBe48kHzMono() throws {
        let fixtures = testsDirectory.appendingPathComponent("GatewayTests/Fixtures")
        let signal = try MeetingAudio.readSignal(path: fixtures.appendingPathComponent("speech-chirp-48000.wav").path)
        #expect(signal.count == 120_000)
        let narrow = fixtures.appendingPathComponent("speech-chirp-8000.wav").path
        #expect(throws: ParticipantClientError.self) { try MeetingAudio.readSignal(path: narrow) }
        do {
            _ = try MeetingAudio.readSignal(path: narrow)
        } catch {
            #expect(error.description.contains("8000 Hz"))
            #expect(!error.description.contains("\n"))
        }
        #expect(throws: ParticipantClientError.self) { try MeetingAudio.readSignal(path: "/nonexistent.wav") }
    }
}
