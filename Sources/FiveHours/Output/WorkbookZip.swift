import CZlib

/// The workbook's zip put together from libxlsxwriter's and the rows written by `SheetSink`.
///
/// libxlsxwriter writes the workbook's structure — styles, the workbook part, defined names,
/// each sheet's settings and header row, the document properties — and `splice` then copies
/// every entry of its zip as it is (the compressed bytes, not recompressed), except the sheets:
/// each sheet becomes libxlsxwriter's XML up to `</sheetData>` (with the `<dimension>` of the
/// whole table), then the rows already deflated in pieces, then the rest of libxlsxwriter's XML.
/// Every entry keeps libxlsxwriter's fixed timestamp (1980-01-01), so the same data gives the
/// same bytes.
enum WorkbookZip {
    /// A sheet's rows, as `SheetSink` wrote and deflated them.
    struct SheetRows {
        /// The rows' XML (`<row r="2">…</row>…`), deflated; it ends with a sync flush.
        var deflated: DeflatedRun
        /// The table's range, `A1:H100001`.
        var dimension: String
    }

    /// An entry of a zip, as its central directory describes it.
    struct Entry {
        var name: ArraySlice<UInt8>
        var versionMadeBy, versionNeeded, flags, method, time, date, internalAttributes: UInt16
        var externalAttributes: UInt32
        var crc: UInt32
        var compressed, size: Int
        /// Where the compressed bytes are in the zip.
        var data: Range<Int>
    }

    /// libxlsxwriter's zip with the rows of its sheets spliced in; `sheets[k]` is the k+1-th
    /// sheet's, `xl/worksheets/sheet<k+1>.xml`. Each sheet's rows are let go once copied, so
    /// the compressed rows and the finished zip are not both held whole.
    static func splice(_ zip: [UInt8], sheets: inout [SheetRows], path: String) throws -> [UInt8] {
        let fail = { (reason: String) in OutputError(path: path, reason: reason) }
        let entries = try self.entries(of: zip, path: path)
        var writer = Writer(capacity: zip.count + sheets.reduce(0) { $0 + $1.deflated.bytes.count })
        var spliced = 0
        for e in entries {
            let name = String(decoding: e.name, as: UTF8.self)
            guard let k = sheetNumber(name), k <= sheets.count else {
                writer.add(e, data: zip[e.data])
                continue
            }
            guard e.method == 8, let xml = Deflate.inflate(zip[e.data], size: e.size) else {
                throw fail("libxlsxwriter's \(name) cannot be read back")
            }
            guard let (head, tail) = cut(xml, dimension: sheets[k - 1].dimension),
                  let start = Deflate.run(head, last: false), let end = Deflate.run(tail, last: true) else {
                throw fail("libxlsxwriter's \(name) has no <sheetData> to fill")
            }
            try writer.add(e, runs: [start, sheets[k - 1].deflated, end], path: path)
            sheets[k - 1].deflated = DeflatedRun()
            spliced += 1
        }
        guard spliced == sheets.count else { throw fail("libxlsxwriter wrote \(spliced) of the \(sheets.count) sheets") }
        return try writer.finish(path: path)
    }

    /// `k` of `xl/worksheets/sheet<k>.xml`.
    static func sheetNumber(_ name: String) -> Int? {
        let prefix = "xl/worksheets/sheet", suffix = ".xml"
        guard name.hasPrefix(prefix), name.hasSuffix(suffix) else { return nil }
        return Int(name.dropFirst(prefix.count).dropLast(suffix.count))
    }

    /// The sheet's XML before and after where the rows go (before `</sheetData>`, or in place of
    /// an empty `<sheetData/>`), with the `<dimension ref="…"/>` set to `dimension`.
    static func cut(_ xml: [UInt8], dimension: String) -> (head: [UInt8], tail: [UInt8])? {
        var head: [UInt8], tail: [UInt8]
        if let close = find(Array("</sheetData>".utf8), in: xml) {
            (head, tail) = (Array(xml[..<close]), Array(xml[close...]))
        } else if let empty = find(Array("<sheetData/>".utf8), in: xml) {
            head = Array(xml[..<empty]) + Array("<sheetData>".utf8)
            tail = Array("</sheetData>".utf8) + Array(xml[(empty + "<sheetData/>".utf8.count)...])
        } else {
            return nil
        }
        let open = Array("<dimension ref=\"".utf8)
        guard let at = find(open, in: head), let quote = head[(at + open.count)...].firstIndex(of: UInt8(ascii: "\"")) else { return nil }
        head.replaceSubrange((at + open.count)..<quote, with: Array(dimension.utf8))
        return (head, tail)
    }

    private static func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        for i in 0...(haystack.count - needle.count) where haystack[i] == needle[0] {
            if haystack[i..<(i + needle.count)].elementsEqual(needle) { return i }
        }
        return nil
    }

    /// The entries of a zip without zip64 (libxlsxwriter's, written with `use_zip64` off).
    static func entries(of zip: [UInt8], path: String) throws -> [Entry] {
        let broken = OutputError(path: path, reason: "the workbook written by libxlsxwriter is not a zip this program reads")
        func u16(_ at: Int) throws -> UInt16 {
            guard at >= 0, at + 2 <= zip.count else { throw broken }
            return UInt16(zip[at]) | UInt16(zip[at + 1]) << 8
        }
        func u32(_ at: Int) throws -> UInt32 { try UInt32(u16(at)) | UInt32(u16(at + 2)) << 16 }
        // The end of the central directory: 22 bytes, then a comment of up to 65,535.
        var end = zip.count - 22
        while end >= 0, try u32(end) != 0x0605_4b50 {
            end -= 1
            if end < zip.count - 22 - 65_535 { throw broken }
        }
        guard end >= 0 else { throw broken }
        let count = Int(try u16(end + 10))
        var at = Int(try u32(end + 16))
        var entries: [Entry] = []
        for _ in 0..<count {
            guard try u32(at) == 0x0201_4b50 else { throw broken }
            let nameLength = Int(try u16(at + 28)), extra = Int(try u16(at + 30)), comment = Int(try u16(at + 32))
            let local = Int(try u32(at + 42))
            guard try u32(local) == 0x0403_4b50 else { throw broken }
            let dataStart = local + 30 + Int(try u16(local + 26)) + Int(try u16(local + 28))
            let compressed = Int(try u32(at + 20))
            guard at + 46 + nameLength <= zip.count, dataStart + compressed <= zip.count else { throw broken }
            entries.append(Entry(
                name: zip[(at + 46)..<(at + 46 + nameLength)], versionMadeBy: try u16(at + 4), versionNeeded: try u16(at + 6),
                flags: try u16(at + 8), method: try u16(at + 10), time: try u16(at + 12), date: try u16(at + 14),
                internalAttributes: try u16(at + 36), externalAttributes: try u32(at + 38), crc: try u32(at + 16),
                compressed: compressed, size: Int(try u32(at + 24)), data: dataStart..<(dataStart + compressed)))
            at += 46 + nameLength + extra + comment
        }
        return entries
    }

    /// Writes a zip entry by entry: local header and data, then the central directory.
    struct Writer {
        private(set) var bytes: [UInt8] = []
        private var central: [UInt8] = []
        private var count = 0

        init(capacity: Int) { bytes.reserveCapacity(capacity + 4096) }

        /// The sizes and offsets a zip without zip64 can hold.
        func check(_ e: Entry, path: String) throws {
            guard e.size <= 0xFFFF_FFFF, e.compressed <= 0xFFFF_FFFF, bytes.count + e.compressed <= 0xFFFF_FFFF else {
                throw OutputError(path: path, reason: "the workbook is larger than a zip without zip64 holds (4 GB)")
            }
        }

        /// Adds an entry whose data is the runs of one deflate stream, one after the other.
        mutating func add(_ e: Entry, runs: [DeflatedRun], path: String) throws {
            var entry = e
            entry.crc = UInt32(runs.dropFirst().reduce(runs[0].crc) { crc32_combine($0, $1.crc, off_t($1.size)) })
            entry.compressed = runs.reduce(0) { $0 + $1.bytes.count }
            entry.size = runs.reduce(0) { $0 + $1.size }
            entry.flags = 0
            try check(entry, path: path)
            add(entry, data: runs.map { $0.bytes[...] })
        }

        mutating func add(_ e: Entry, data: ArraySlice<UInt8>) { add(e, data: [data]) }

        private mutating func add(_ e: Entry, data: [ArraySlice<UInt8>]) {
            let offset = bytes.count
            // A data descriptor (flag 3) is not written: the sizes are in the local header.
            let flags = e.flags & ~0x0008
            Self.put32(&bytes, 0x0403_4b50)
            for v in [e.versionNeeded, flags, e.method, e.time, e.date] { Self.put16(&bytes, v) }
            Self.put32(&bytes, e.crc)
            Self.put32(&bytes, UInt32(e.compressed))
            Self.put32(&bytes, UInt32(e.size))
            Self.put16(&bytes, UInt16(e.name.count))
            Self.put16(&bytes, 0)
            bytes.append(contentsOf: e.name)
            for d in data { bytes.append(contentsOf: d) }

            Self.put32(&central, 0x0201_4b50)
            for v in [e.versionMadeBy, e.versionNeeded, flags, e.method, e.time, e.date] { Self.put16(&central, v) }
            Self.put32(&central, e.crc)
            Self.put32(&central, UInt32(e.compressed))
            Self.put32(&central, UInt32(e.size))
            for v in [UInt16(e.name.count), 0, 0, 0, e.internalAttributes] { Self.put16(&central, v) }
            Self.put32(&central, e.externalAttributes)
            Self.put32(&central, UInt32(offset))
            central.append(contentsOf: e.name)
            count += 1
        }

        mutating func finish(path: String) throws -> [UInt8] {
            guard count <= 0xFFFF, bytes.count + central.count <= 0xFFFF_FFFF else {
                throw OutputError(path: path, reason: "the workbook is larger than a zip without zip64 holds (4 GB)")
            }
            let start = bytes.count
            bytes.append(contentsOf: central)
            Self.put32(&bytes, 0x0605_4b50)
            for v in [0, 0, UInt16(count), UInt16(count)] as [UInt16] { Self.put16(&bytes, v) }
            Self.put32(&bytes, UInt32(central.count))
            Self.put32(&bytes, UInt32(start))
            Self.put16(&bytes, 0)
            return bytes
        }

        // Static: a method of the writer handed its own `bytes` inout would copy them each time.
        private static func put16(_ out: inout [UInt8], _ v: UInt16) {
            out.append(UInt8(v & 0xFF))
            out.append(UInt8(v >> 8))
        }

        private static func put32(_ out: inout [UInt8], _ v: UInt32) {
            Self.put16(&out, UInt16(v & 0xFFFF))
            Self.put16(&out, UInt16(v >> 16))
        }
    }
}
