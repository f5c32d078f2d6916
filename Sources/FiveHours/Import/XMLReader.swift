import CLibXML2
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// One record element of an input XML file (`<volunteer>`, `<activity>`, `<submission>`), with
/// its attributes, its child elements, the attributes of the element that holds it
/// (`<roster unit="…">`) and the line of its start tag.
struct XMLRecord {
    struct Child {
        var name: String
        var attributes: [String: String]
        var text: String
    }
    var name: String
    var line: Int
    var attributes: [String: String]
    var children: [Child] = []
    /// Attributes of the enclosing `<roster>`, `<activities>` or `<submissions>` element.
    var context: [String: String]
}

/// A streaming reader of untrusted XML over libxml2's `xmlTextReader`.
///
/// Configured as `../shared/docs/TOOLCHAIN-NOTES.md` records was safe here: no network, no
/// entity expansion, no DTD loading, a DOCTYPE or entity reference rejects the file, a
/// deny-all external entity loader, and any error libxml2 reports fails the file (it often
/// reports one while the read call still succeeds).
enum XMLReader {
    /// Elements that are records, and elements whose attributes give context to them.
    static let recordNames: [String] = ["volunteer", "activity", "submission"]
    static let contextNames: [String] = ["roster", "activities", "submissions"]

    private static let initialized: Bool = {
        xmlInitParser()
        xmlSetExternalEntityLoader { _, _, _ in nil }
        return true
    }()

    /// Reads every record element of a document.
    /// - Throws: `UnreadableFile` with line and column for any error, attack or malformation.
    static func records(in bytes: UnsafeBufferPointer<UInt8>, name: String) throws(UnreadableFile) -> [XMLRecord] {
        var out: [XMLRecord] = []
        try forEachRecord(in: bytes, name: name) { out.append($0) }
        return out
    }

    /// A shortcut tried for each `<fastName>` record before it is turned into strings: it gets
    /// the record as bytes, and the attributes of the enclosing element with a number that
    /// changes whenever they do; it returns true when it took the record, false to have it
    /// built and handed to `body` as usual.
    typealias FastRecord = (_ record: RawXMLRecord, _ context: [String: String], _ contextVersion: Int) -> Bool

    /// Streams the record elements of a document to `body`, one at a time, in document order:
    /// a large file is never held as a list of records.
    ///
    /// A large document is parsed on a thread of its own while the caller's thread takes the
    /// records (in batches, in order): libxml2's parse and the work on each record then run on
    /// two cores at once, each about half of the time of the two together.
    /// - Parameter fast: tried first for `<fastName>` records (see `FastRecord`).
    /// - Parameter consumed: told now and then how many bytes the parser has read (to let the
    ///   pages behind it go); called from the parsing thread.
    static func forEachRecord(in bytes: UnsafeBufferPointer<UInt8>, name: String, consumed: ((Int) -> Void)? = nil,
                              fastName: String? = nil, fast: FastRecord? = nil,
                              _ body: (XMLRecord) -> Void) throws(UnreadableFile) {
        let fastNameBytes = fastName.map { Array($0.utf8) }
        func deliver(_ raw: RawXMLRecord, _ context: [String: String], _ contextVersion: Int) {
            if let fast, let f = fastNameBytes, raw.nameIs(f), fast(raw, context, contextVersion) { return }
            body(raw.record(context: context))
        }
        guard bytes.count >= concurrentSize else {
            try scan(bytes, name: name, consumed: consumed) { raw, context, version in deliver(raw, context, version) }
            return
        }
        let channel = RecordChannel()
        let input = UnsafeSendable(Input(bytes: bytes, name: name, consumed: consumed))
        let parser = Thread { produce(input.value, into: channel) }
        parser.stackSize = 8 << 20 // libxml2 recurses on nested elements (its depth limit applies)
        parser.start()
        var context: (version: Int, value: [String: String]) = (-1, [:])
        while let batch = channel.take() {
            for k in 0..<batch.count {
                let version = batch.versions[k]
                if version != context.version { context = (version, batch.contexts[version] ?? [:]) }
                deliver(batch.records[k], context.value, version)
            }
            channel.recycle(batch)
        }
        if let e = channel.failure { throw e }
    }

    /// The parsing thread's work: the records in batches to `channel`, then the outcome.
    private struct Input {
        var bytes: UnsafeBufferPointer<UInt8>
        var name: String
        var consumed: ((Int) -> Void)?
    }

    private static func produce(_ input: Input, into channel: RecordChannel) {
        var batch = channel.emptyBatch()
        var failure: UnreadableFile?
        do throws(UnreadableFile) {
            try scan(input.bytes, name: input.name, consumed: input.consumed) { raw, context, version in
                batch.add(&raw, context: context, version: version)
                if batch.count == RecordChannel.batchSize {
                    channel.put(batch)
                    batch = channel.emptyBatch()
                }
            }
        } catch {
            failure = error
        }
        channel.put(batch)
        channel.finish(failure)
    }

    /// Documents at least this large are parsed on a thread of their own (`forEachRecord`).
    static let concurrentSize = 1 << 20

    /// Records handed from the parsing thread to the caller's, in batches, in document order.
    ///
    /// At most a few batches wait, so that a fast parser does not pile up a large file's records;
    /// batches come back once read (`recycle`) and are filled again in place, so that records
    /// are neither allocated on one thread nor freed on the other (the allocator's locks made
    /// that slower than parsing on one thread).
    final class RecordChannel: @unchecked Sendable {
        static let batchSize = 512
        private let condition = NSCondition()
        private var full: [RecordBatch] = []
        private var empty: [RecordBatch] = []
        private var finished = false
        private(set) var failure: UnreadableFile?

        func emptyBatch() -> RecordBatch {
            condition.lock()
            defer { condition.unlock() }
            guard var batch = empty.popLast() else { return RecordBatch() }
            batch.clear()
            return batch
        }

        func put(_ batch: RecordBatch) {
            guard batch.count > 0 else { return }
            condition.lock()
            while full.count >= 4 { condition.wait() }
            full.append(batch)
            condition.broadcast()
            condition.unlock()
        }

        func recycle(_ batch: RecordBatch) {
            condition.lock()
            empty.append(batch)
            condition.unlock()
        }

        func finish(_ error: UnreadableFile?) {
            condition.lock()
            failure = error
            finished = true
            condition.broadcast()
            condition.unlock()
        }

        /// The next batch; nil once the parser has finished and every batch was taken.
        func take() -> RecordBatch? {
            condition.lock()
            defer { condition.unlock() }
            while full.isEmpty && !finished { condition.wait() }
            guard !full.isEmpty else { return nil }
            let batch = full.removeFirst()
            condition.broadcast()
            return batch
        }
    }

    /// Up to `RecordChannel.batchSize` records, with the attributes of their enclosing
    /// element: the version of each record's, and each version's once.
    struct RecordBatch {
        private(set) var records: [RawXMLRecord] = []
        private(set) var versions: [Int] = []
        private(set) var contexts: [Int: [String: String]] = [:]
        private(set) var count = 0

        /// Takes the record by swapping it with a used one of this batch, whose buffers the
        /// parser then fills again.
        mutating func add(_ raw: inout RawXMLRecord, context: [String: String], version: Int) {
            if count == records.count { records.append(RawXMLRecord()); versions.append(0) }
            swap(&raw, &records[count])
            versions[count] = version
            if contexts[version] == nil { contexts[version] = context }
            count += 1
        }

        mutating func clear() {
            count = 0
            contexts.removeAll(keepingCapacity: true)
        }
    }

    /// The parse itself: every record element, as bytes, with the attributes of its enclosing
    /// element and their version, to `emit`.
    private static func scan(_ bytes: UnsafeBufferPointer<UInt8>, name: String, consumed: ((Int) -> Void)?,
                             _ emit: (inout RawXMLRecord, [String: String], Int) -> Void) throws(UnreadableFile) {
        _ = initialized
        // BIG_LINES only widens the line numbers kept on nodes past 65,535; it loads nothing.
        let options = Int32(XML_PARSE_NONET.rawValue | XML_PARSE_NOERROR.rawValue | XML_PARSE_NOWARNING.rawValue | XML_PARSE_BIG_LINES.rawValue)
        let base = bytes.baseAddress.map { UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self) }
        guard bytes.count > 0, let base,
              let reader = xmlReaderForMemory(base, Int32(clamping: bytes.count), name, nil, options) else {
            throw UnreadableFile(line: 1, reason: "the file is empty or not XML")
        }
        defer { xmlFreeTextReader(reader) }
        guard bytes.count < Int(Int32.max) else { throw UnreadableFile(line: 1, reason: "the file is larger than 2 GB") }

        let box = ErrorBox()
        let boxPtr = Unmanaged.passUnretained(box).toOpaque()
        xmlTextReaderSetStructuredErrorHandler(reader, { ctx, error in
            guard let ctx, let error else { return }
            let box = Unmanaged<ErrorBox>.fromOpaque(ctx).takeUnretainedValue()
            guard box.error == nil else { return }
            // libxml2 puts some details on a second line ("…encoding !\nBytes: 0xE9 …"): one line.
            let message = error.pointee.message.map { String(cString: $0).split(whereSeparator: \.isNewline).joined(separator: " ") }?.trimmingSpaces ?? "XML error"
            box.error = UnreadableFile(line: Int(error.pointee.line), column: Int(error.pointee.int2) > 0 ? Int(error.pointee.int2) : nil,
                                       reason: "XML: \(message)")
        }, boxPtr)

        var context: [String: String] = [:]
        var contextVersion = 0
        var contextDepth = -1
        // The record being read, as bytes; turned into an `XMLRecord` only when the shortcut
        // does not take it.
        var raw = RawXMLRecord()
        var inRecord = false
        var recordDepth = -1
        var inChild = false
        var childDepth = -1
        var sawRoot = false

        var records = 0
        func finish() {
            inRecord = false
            records += 1
            if records & 8191 == 0, let consumed { consumed(Int(xmlTextReaderByteConsumed(reader))) }
            emit(&raw, context, contextVersion)
        }

        while true {
            let r = xmlTextReaderRead(reader)
            if let e = box.error { throw e }
            if r == 0 { break }
            if r < 0 {
                throw UnreadableFile(line: Int(xmlTextReaderGetParserLineNumber(reader)), reason: "XML: the document is malformed")
            }
            let type = xmlTextReaderNodeType(reader)
            let depth = Int(xmlTextReaderDepth(reader))
            switch type {
            case Int32(XML_READER_TYPE_DOCUMENT_TYPE.rawValue):
                // The DTD node has no line of its own (the parser's runs ahead): find it in the bytes.
                let at = doctypePosition(bytes)
                throw UnreadableFile(line: at?.line ?? nodeLine(reader), column: at?.column,
                                     reason: "XML: a DOCTYPE is not allowed in input files (it can hide entities); remove it")
            case Int32(XML_READER_TYPE_ENTITY_REFERENCE.rawValue), Int32(XML_READER_TYPE_ENTITY.rawValue):
                let line = nodeLine(reader)
                throw UnreadableFile(line: line, reason: "XML: entity references are not allowed in input files; write the text itself")
            case Int32(XML_READER_TYPE_ELEMENT.rawValue):
                sawRoot = true
                if let ns = xmlTextReaderConstNamespaceUri(reader), xincludeNamespaces.contains(String(cString: ns)) {
                    throw UnreadableFile(line: nodeLine(reader), reason: "XML: <\(localName(reader))> (XInclude) is not allowed in input files: it would pull in another file; write the text itself")
                }
                let empty = xmlTextReaderIsEmptyElement(reader) == 1
                let name = constName(reader)
                if !inRecord {
                    if let recordName = recordNames.first(where: { equal(name, $0) }) {
                        // The parser's own line runs ahead of the node handed back; the node's is exact.
                        raw.start(name: recordName, line: nodeLine(reader))
                        _ = XMLAttributes(reader: reader).forEach { n, v in raw.addAttribute(n, v); return true }
                        xmlTextReaderMoveToElement(reader)
                        inRecord = true
                        recordDepth = depth
                        if empty { finish() }
                    } else if contextNames.contains(where: { equal(name, $0) }) {
                        context = attributes(reader)
                        contextVersion += 1
                        contextDepth = depth
                    }
                } else if !inChild, depth == recordDepth + 1 {
                    raw.startChild(name)
                    _ = XMLAttributes(reader: reader).forEach { n, v in raw.addChildAttribute(n, v); return true }
                    xmlTextReaderMoveToElement(reader)
                    if !empty { inChild = true; childDepth = depth }
                }
            case Int32(XML_READER_TYPE_TEXT.rawValue), Int32(XML_READER_TYPE_CDATA.rawValue),
                 Int32(XML_READER_TYPE_SIGNIFICANT_WHITESPACE.rawValue):
                if inChild, let v = xmlTextReaderConstValue(reader) {
                    raw.addChildText(UnsafeBufferPointer(start: UnsafePointer(v), count: strlen(UnsafeRawPointer(v).assumingMemoryBound(to: CChar.self))))
                }
            case Int32(XML_READER_TYPE_END_ELEMENT.rawValue):
                if inChild, depth == childDepth {
                    inChild = false
                } else if inRecord, depth == recordDepth {
                    finish()
                } else if depth == contextDepth {
                    context = [:]
                    contextVersion += 1
                    contextDepth = -1
                }
            default:
                break
            }
        }
        if let e = box.error { throw e }
        if !sawRoot { throw UnreadableFile(line: 1, reason: "XML: the document has no elements") }
    }

    /// XInclude is never processed (no `XML_PARSE_XINCLUDE`), but a file that asks for it is hostile.
    static let xincludeNamespaces: Set<String> = ["http://www.w3.org/2001/XInclude", "http://www.w3.org/2003/XInclude"]

    /// Line and column (in characters) of the first `<!DOCTYPE` of an ASCII-compatible document.
    private static func doctypePosition(_ bytes: UnsafeBufferPointer<UInt8>) -> (line: Int, column: Int)? {
        let pattern = Array("<!DOCTYPE".utf8)
        var line = 1, column = 1, i = 0
        while i + pattern.count <= bytes.count {
            let c = bytes[i]
            if c == 60, pattern.indices.allSatisfy({ bytes[i + $0] == pattern[$0] }) { return (line, column) }
            if c == 10 { line += 1; column = 1 } else if c & 0xC0 != 0x80 { column += 1 }
            i += 1
        }
        return nil
    }

    private static func nodeLine(_ reader: xmlTextReaderPtr) -> Int {
        if let node = xmlTextReaderCurrentNode(reader) {
            let n = Int(xmlGetLineNo(node))
            // libxml2 2.9 reports lines past 65,535 (kept outside the 16-bit field) one too high;
            // measured here, and pinned by XMLReaderTests.lineNumbersBeyond65535.
            if n > 65_535, LIBXML_VERSION < 21000 { return n - 1 }
            if n > 0 { return n }
        }
        return Int(xmlTextReaderGetParserLineNumber(reader))
    }

    /// The local name of the node, as bytes (valid until the reader moves on).
    private static func constName(_ reader: xmlTextReaderPtr) -> UnsafeBufferPointer<UInt8> {
        guard let n = xmlTextReaderConstLocalName(reader) else { return UnsafeBufferPointer(start: nil, count: 0) }
        return UnsafeBufferPointer(start: UnsafePointer(n), count: strlen(UnsafeRawPointer(n).assumingMemoryBound(to: CChar.self)))
    }

    private static func equal(_ bytes: UnsafeBufferPointer<UInt8>, _ name: String) -> Bool {
        name.utf8.count == bytes.count && name.utf8.elementsEqual(bytes)
    }

    private static func localName(_ reader: xmlTextReaderPtr) -> String {
        guard let n = xmlTextReaderConstLocalName(reader) else { return "" }
        return String(cString: n)
    }

    private static func attributes(_ reader: xmlTextReaderPtr) -> [String: String] {
        var attrs: [String: String] = [:]
        guard xmlTextReaderHasAttributes(reader) == 1 else { return attrs }
        while xmlTextReaderMoveToNextAttribute(reader) == 1 {
            let name = xmlTextReaderConstLocalName(reader).map { String(cString: $0) } ?? ""
            let value = xmlTextReaderConstValue(reader).map { String(cString: $0) } ?? ""
            attrs[name] = value
        }
        xmlTextReaderMoveToElement(reader)
        return attrs
    }

    private final class ErrorBox {
        var error: UnreadableFile?
    }
}

/// The attributes of the element an `xmlTextReader` is on, as UTF-8 bytes (libxml2 has already
/// decoded the document's encoding and character references); valid until the reader moves on.
struct XMLAttributes {
    let reader: xmlTextReaderPtr

    /// Calls `body` with each attribute's local name and value; stops when it returns false.
    /// - Returns: false when `body` stopped early.
    func forEach(_ body: (UnsafeBufferPointer<UInt8>, UnsafeBufferPointer<UInt8>) -> Bool) -> Bool {
        guard xmlTextReaderHasAttributes(reader) == 1 else { return true }
        while xmlTextReaderMoveToNextAttribute(reader) == 1 {
            guard let n = xmlTextReaderConstLocalName(reader) else { continue }
            let v = xmlTextReaderConstValue(reader)
            let name = UnsafeBufferPointer(start: UnsafePointer(n), count: strlen(UnsafeRawPointer(n).assumingMemoryBound(to: CChar.self)))
            let value = v.map { UnsafeBufferPointer(start: UnsafePointer($0), count: strlen(UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self))) }
                ?? UnsafeBufferPointer(start: nil, count: 0)
            if !body(name, value) { return false }
        }
        return true
    }
}

/// A record element as the reader saw it, kept as bytes in one buffer: its name, line,
/// attributes and child elements (name, attributes, text). Reused from record to record.
struct RawXMLRecord {
    typealias Span = Range<Int>
    struct Child {
        var name: Span
        var attributes: [(name: Span, value: Span)] = []
        var text: Span
    }
    private(set) var name = ""
    private(set) var line = 0
    private(set) var bytes: [UInt8] = []
    private(set) var attributes: [(name: Span, value: Span)] = []
    private(set) var children: [Child] = []

    mutating func start(name: String, line: Int) {
        self.name = name
        self.line = line
        bytes.removeAll(keepingCapacity: true)
        attributes.removeAll(keepingCapacity: true)
        children.removeAll(keepingCapacity: true)
    }

    private mutating func append(_ b: UnsafeBufferPointer<UInt8>) -> Span {
        let start = bytes.count
        bytes.append(contentsOf: b)
        return start..<bytes.count
    }

    mutating func addAttribute(_ n: UnsafeBufferPointer<UInt8>, _ v: UnsafeBufferPointer<UInt8>) {
        let name = append(n), value = append(v)
        attributes.append((name, value))
    }

    mutating func startChild(_ n: UnsafeBufferPointer<UInt8>) {
        let name = append(n)
        children.append(Child(name: name, text: bytes.count..<bytes.count))
    }

    mutating func addChildAttribute(_ n: UnsafeBufferPointer<UInt8>, _ v: UnsafeBufferPointer<UInt8>) {
        let name = append(n), value = append(v)
        children[children.count - 1].attributes.append((name, value))
    }

    /// Text of the open child (its text nodes and those of anything inside it, in order).
    mutating func addChildText(_ t: UnsafeBufferPointer<UInt8>) {
        let k = children.count - 1
        if children[k].text.isEmpty { children[k].text = bytes.count..<bytes.count }
        let span = append(t)
        children[k].text = children[k].text.lowerBound..<span.upperBound
    }

    func nameIs(_ b: [UInt8]) -> Bool { name.utf8.elementsEqual(b) }

    func withBytes<T>(_ span: Span, _ body: (UnsafeBufferPointer<UInt8>) -> T) -> T {
        bytes.withUnsafeBufferPointer { body(UnsafeBufferPointer(rebasing: $0[span])) }
    }

    func string(_ span: Span) -> String { withBytes(span) { String(decoding: $0, as: UTF8.self) } }

    /// The record with strings and dictionaries, for the ordinary path.
    func record(context: [String: String]) -> XMLRecord {
        var attrs: [String: String] = [:]
        for a in attributes { attrs[string(a.name)] = string(a.value) }
        var rec = XMLRecord(name: name, line: line, attributes: attrs, context: context)
        for c in children {
            var ca: [String: String] = [:]
            for a in c.attributes { ca[string(a.name)] = string(a.value) }
            rec.children.append(XMLRecord.Child(name: string(c.name), attributes: ca, text: string(c.text)))
        }
        return rec
    }
}
