import Foundation
import Media
import Testing

@Suite struct G711ConcealerTests {
    /// A 125 Hz voiced-like tone (period 64 samples) with a harmonic.
    static func voice(_ n: Int) -> Int16 {
        let t = Double(n) / 8000
        return Int16(8000 * sin(2 * Double.pi * 125 * t) + 3000 * sin(2 * Double.pi * 250 * t + 1))
    }

    @Test func repeatsThePitchPeriodThenFadesToSilence() {
        var concealer = G711Concealer()
        var frame = [Int16](repeating: 0, count: 160)
        for index in 0..<5 {
            for n in 0..<160 { frame[n] = Self.voice(index * 160 + n) }
            frame.withUnsafeMutableBufferPointer { concealer.received($0) }
        }
        var concealed: [Int16] = []
        for _ in 0..<4 {
            frame.withUnsafeMutableBufferPointer { concealer.conceal(into: $0) }
            concealed += frame
        }
        #expect(concealer.isConcealing)
        // The first 10 ms continue the periodic signal almost exactly.
        let truth = (800..<880).map(Self.voice)
        let error = zip(concealed.prefix(80), truth).map { abs(Int($0) - Int($1)) }.max()!
        #expect(error < 200, "largest error \(error)")
        // Fading: later 10 ms pieces are quieter; silent from 60 ms on.
        let peak = { (range: Range<Int>) in concealed[range].map { abs(Int($0)) }.max()! }
        #expect(peak(240..<320) < peak(80..<160))
        #expect(peak(400..<480) < peak(240..<320))
        #expect(concealed[480...].allSatisfy { $0 == 0 })
    }

    @Test func recoveryIsCrossFaded() {
        var concealer = G711Concealer()
        var frame = [Int16](repeating: 0, count: 160)
        for index in 0..<3 {
            for n in 0..<160 { frame[n] = Self.voice(index * 160 + n) }
            frame.withUnsafeMutableBufferPointer { concealer.received($0) }
        }
        frame.withUnsafeMutableBufferPointer { concealer.conceal(into: $0) }
        // The next good frame is silence: its start fades down from the concealment, no step to 0.
        var good = [Int16](repeating: 0, count: 160)
        good.withUnsafeMutableBufferPointer { concealer.received($0) }
        #expect(!concealer.isConcealing)
        #expect(good.prefix(G711Concealer.crossFade - 4).contains { $0 != 0 })
        #expect(good[G711Concealer.crossFade...].allSatisfy { $0 == 0 })
        let steps = zip(good.dropFirst(), good).map { abs(Int($0) - Int($1)) }
        #expect(steps.max()! < 1500)
    }
}
