import ControlAPI
import Testing

@Suite struct ControlLineFramerTests {
    private func lines(_ framer: inout ControlLineFramer) throws -> [String] {
        var out: [String] = []
        while let line = try framer.nextLine() { out.append(Fixtures.string(line)) }
        return out
    }

    @Test func splitsLinesUnderEveryByteSplit() throws {
        let stream = Array("{\"a\":1}\n\r\n{\"b\":2}\r\n\n{\"c\":3}\npartial".utf8)
        for split in 0...stream.count {
            var framer = ControlLineFramer()
            framer.append(stream[..<split])
            var got = try lines(&framer)
            framer.append(stream[split...])
            got += try lines(&framer)
            #expect(got == [#"{"a":1}"#, #"{"b":2}"#, #"{"c":3}"#], "split at \(split)")
            #expect(framer.bufferedByteCount == "partial".utf8.count)
        }
    }

    @Test func byteAtATime() throws {
        var framer = ControlLineFramer()
        var got: [String] = []
        for byte in Array("one\ntwo\nthree\n".utf8) {
            framer.append([byte])
            got += try lines(&framer)
        }
        #expect(got == ["one", "two", "three"])
        #expect(framer.bufferedByteCount == 0)
    }

    @Test func lineAtTheLimitPasses() throws {
        var framer = ControlLineFramer(maxLineLength: 8)
        framer.append(Array("12345678\n".utf8))
        #expect(try framer.nextLine() == Array("12345678".utf8))
    }

    @Test func overLongTerminatedLineThrows() {
        var framer = ControlLineFramer(maxLineLength: 8)
        framer.append(Array("123456789\n".utf8))
        #expect(throws: ControlFramingError.lineTooLong(limit: 8)) { try framer.nextLine() }
    }

    @Test func overLongUnterminatedLineThrowsBeforeTheNewlineArrives() {
        var framer = ControlLineFramer(maxLineLength: 8)
        framer.append(Array("123456789".utf8))
        #expect(throws: ControlFramingError.lineTooLong(limit: 8)) { try framer.nextLine() }
    }

    @Test func defaultLimitIs64KiB() throws {
        var framer = ControlLineFramer()
        framer.append([UInt8](repeating: UInt8(ascii: "x"), count: 64 * 1024))
        #expect(try framer.nextLine() == nil)
        framer.append([UInt8(ascii: "x")])
        #expect(throws: ControlFramingError.lineTooLong(limit: 65536)) { try framer.nextLine() }
    }
}
