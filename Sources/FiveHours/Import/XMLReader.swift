import CFastBytes
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
        /// The line of its start tag (a record written inside another is named by its own).
        var line: Int = 0
    }
    var name: String
    var line: Int
    var attributes: [String: String]
    var children: [Child] = []
    /// Attributes of the enclosing `<roster>`, `<activities>` or `<submissions>` element.
    var context: [String: String]
}

/// A streaming reader of untrusted XML over libxml2's SAX2 push parser.
///
/// Configured as `../shared/docs/TOOLCHAIN-NOTES.md` records was safe here: no network, no
/// entity expansion, no DTD loading, a deny-all external entity loader. A DOCTYPE stops the
/// parse where it begins (before any declaration in it is read), so does an entity reference
/// or an XInclude element, and any error or warning libxml2 reports fails the file. The limits
/// of libxml2's tree builder are kept: 256 levels of elements, 10 MB of text in one node.
/// (It was built on `xmlTextReader` first, which builds and frees a tree node for every element
/// and text; SAX parses the same documents in about 60 % of the time.)
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
    /// - Parameter concurrentAbove: the size from which the parse runs on a thread of its own
    ///   (tests set 0, to compare that path with the inline one on small documents).
    static func records(in bytes: UnsafeBufferPointer<UInt8>, name: String, concurrentAbove: Int = concurrentSize) throws(UnreadableFile) -> [XMLRecord] {
        var out: [XMLRecord] = []
        try forEachRecord(in: bytes, name: name, concurrentAbove: concurrentAbove) { out.append($0) }
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
                              fastName: String? = nil, fast: FastRecord? = nil, concurrentAbove: Int = concurrentSize,
                              _ body: (XMLRecord) -> Void) throws(UnreadableFile) {
        let fastNameBytes = fastName.map { Array($0.utf8) }
        func deliver(_ raw: RawXMLRecord, _ context: [String: String], _ contextVersion: Int) {
            if let fast, let f = fastNameBytes, raw.nameIs(f), fast(raw, context, contextVersion) { return }
            body(raw.record(context: context))
        }
        guard bytes.count >= concurrentAbove else {
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
    ///
    /// libxml2's SAX2 interface, pushed the document in chunks: it calls back for each element,
    /// text and error without building the tree nodes that `xmlTextReader` builds and frees for
    /// every one of them (measured here on 1 M records: 1.4 s against 2.3 s). The rules are the
    /// reader's: a DOCTYPE, an entity reference or an XInclude element stops the parse, and so does
    /// the first error or warning libxml2 reports.
    /// The largest XML file libxml2's parser takes (its lengths are 32-bit).
    static let largestFile = Int(Int32.max) - 1
    static let tooLarge = UnreadableFile(line: 1, reason: "the file is larger than 2 GB", chinese: "文件大于 2 GB")

    private static func scan(_ bytes: UnsafeBufferPointer<UInt8>, name: String, consumed: ((Int) -> Void)?,
                             _ emit: (inout RawXMLRecord, [String: String], Int) -> Void) throws(UnreadableFile) {
        _ = initialized
        fivehours_xml_silence() // per thread: libxml2's error function is thread-local
        guard bytes.count > 0, let base = bytes.baseAddress else { throw UnreadableFile.notXML }
        guard bytes.count <= largestFile else { throw tooLarge }
        // A declared GB encoding is what the UTF-8 check decides about, once: whether libxml2 is
        // told GB18030, or the file refused first (`wrongGBDeclaration`).
        let gbDeclared = declaresGBWithoutBOM(bytes)
        let firstInvalid = gbDeclared ? UTF8Check.firstInvalid(bytes) : nil
        if gbDeclared, let wrong = wrongGBDeclaration(bytes, firstInvalid: firstInvalid) { throw wrong }
        let failure: UnreadableFile? = withoutActuallyEscaping(emit) { emit in
            let state = UnsafeMutablePointer<SAXScan>.allocate(capacity: 1)
            state.initialize(to: SAXScan(bytes: bytes, emit: emit))
            defer { state.deinitialize(count: 1); state.deallocate() }
            var handler = SAXScan.handler
            let first = min(4, bytes.count) // enough to detect the encoding, as xmlTextReader does
            let chars = UnsafeRawPointer(base).assumingMemoryBound(to: CChar.self)
            guard let ctxt = xmlCreatePushParserCtxt(&handler, state, chars, Int32(first), name) else {
                return UnreadableFile.notXML
            }
            defer { xmlFreeParserCtxt(ctxt) }
            // BIG_LINES only widens the line numbers kept on nodes past 65,535; it loads nothing.
            var options = XML_PARSE_NONET.rawValue | XML_PARSE_NOERROR.rawValue | XML_PARSE_NOWARNING.rawValue | XML_PARSE_BIG_LINES.rawValue
            // A file that declares GB2312 or GBK is read as GB18030, which holds both: Chinese
            // tools label GBK text GB2312, and a name with 堃, 喆 or 镕 (GBK, not GB2312) made
            // libxml2's strict GB2312 converter refuse the whole file. Not a file with a byte
            // order mark, nor one that is UTF-8 throughout: its declaration is what is wrong
            // (`withEncodingHint` says so), and GB18030 would read its Chinese as other Chinese.
            let gb = gbDeclared && firstInvalid != nil
            if gb { options |= XML_PARSE_IGNORE_ENC.rawValue }
            xmlCtxtUseOptions(ctxt, Int32(options))
            if gb, let handler = xmlFindCharEncodingHandler("GB18030") { _ = xmlSwitchToEncoding(ctxt, handler) }
            state.pointee.ctxt = ctxt
            var offset = first
            let chunk = 256 << 10
            var tags = StartTagGuard()
            if let at = tags.check(UnsafeBufferPointer(rebasing: bytes[0..<first])) { return StartTagGuard.refusal(bytes, at: at) }
            while state.pointee.error == nil {
                let size = min(chunk, bytes.count - offset)
                if let at = tags.check(UnsafeBufferPointer(rebasing: bytes[offset..<(offset + size)])) {
                    return StartTagGuard.refusal(bytes, at: offset + at)
                }
                let last: Int32 = offset + size == bytes.count ? 1 : 0
                _ = xmlParseChunk(ctxt, chars + offset, Int32(size), last)
                offset += size
                // The parser keeps its own copy of what it was given: the pages behind can go.
                consumed?(offset)
                if last == 1 { break }
            }
            if let e = state.pointee.error { return e }
            if ctxt.pointee.wellFormed == 0 {
                return UnreadableFile(line: Int(ctxt.pointee.input?.pointee.line ?? 1), reason: "XML: the document is malformed", chinese: "XML：文档格式错误")
            }
            if !state.pointee.sawRoot { return UnreadableFile(line: 1, reason: "XML: the document has no elements", chinese: "XML：文档中没有元素") }
            return nil
        }
        if let failure { throw failure }
    }

    /// Bounds the attributes of a start tag as the bytes go to the parser, refusing a document
    /// whose tag has more than `limit`: libxml2 2.9 checks each new attribute against every one
    /// before it, so that one element of 600,000 attributes (7 MB) held the parse for minutes. A
    /// real record has a dozen.
    ///
    /// What is counted is the `=` bytes between two `<`: in well-formed XML no `<` stands inside
    /// a start tag (nor in a value), so they bound the attributes of the one tag between them; a
    /// `<` put into a value to break the count stops libxml2 at that value, before it checks the
    /// attributes after it. (Text, a comment or CDATA with more than 10,000 `=` between two `<`
    /// is refused too: no record holds that many.) `fh_equals_since_lt_avx2` counts 64 bytes at
    /// a time; the loop below is the reference, and the reader without AVX2.
    struct StartTagGuard {
        static let limit = 10_000
        /// `=` since the last `<`, carried from one stretch to the next.
        var equals: UInt32 = 0

        /// An offset at or shortly before (within 64 bytes of) where the count passes `limit`
        /// in `b`, or nil.
        mutating func check(_ b: UnsafeBufferPointer<UInt8>, accelerated: Bool = UTF8Check.avx2) -> Int? {
            guard let base = b.baseAddress else { return nil }
            if accelerated {
                let at = fh_equals_since_lt_avx2(base, b.count, &equals, UInt32(Self.limit))
                return at < 0 ? nil : at
            }
            for i in 0..<b.count {
                if base[i] == 60 { // <
                    equals = 0
                } else if base[i] == 61 { // =
                    equals += 1
                    if equals > Self.limit { return i }
                }
            }
            return nil
        }

        /// The whole-file reject of a document whose tag at `offset` has too many attributes.
        static func refusal(_ bytes: UnsafeBufferPointer<UInt8>, at offset: Int) -> UnreadableFile {
            let line = 1 + bytes[0..<offset].reduce(0) { $0 + ($1 == 10 ? 1 : 0) }
            return UnreadableFile(line: line, reason: "XML: a start tag with more than \(limit) attributes; a record has a few — export the file again",
                                  chinese: "XML：一个开始标签的属性超过 \(limit) 个（一条记录只有十几个）；请重新导出该文件")
        }
    }

    /// The state of one SAX parse, reached from libxml2's callbacks through their user data.
    private struct SAXScan {
        let bytes: UnsafeBufferPointer<UInt8>
        let emit: (inout RawXMLRecord, [String: String], Int) -> Void
        var ctxt: xmlParserCtxtPtr?
        var error: UnreadableFile?
        /// The depth of the next element to start (the root's is 0).
        var depth = 0
        var context: [String: String] = [:]
        var contextVersion = 0
        var contextDepth = -1
        /// The open `<roster>`, `<activities>` or `<submissions>` element while it has held no
        /// record: one that ends so is handed on as a record of its own name, like a stray, for
        /// the importer to judge — a record's columns written on the file's root (`<roster unit=…
        /// id=… name=…/>`) is rejected, a root of defaults only (`<roster unit=…/>`) is no row.
        var emptyContext: Stray?
        // The record being read, as bytes; turned into an `XMLRecord` only when the shortcut
        // does not take it.
        var raw = RawXMLRecord()
        var inRecord = false
        var recordDepth = -1
        var inChild = false
        var childDepth = -1
        var sawRoot = false
        /// Bytes of text (and CDATA) since the last tag, comment or processing instruction: one
        /// text node, which may not pass 10 MB.
        var textRun = 0
        /// Open elements outside any record that are neither a record nor a file's root kind and
        /// carry attributes (`<Activity …>`, `<record …>`): each is handed on as a record of its
        /// own name when it ends, unless a record or a known root starts inside it (then it only
        /// wraps them). The importer judges it (`Importer.carriesColumns`): a record written
        /// wrongly is rejected with its line, never dropped without a trace; metadata is no row.
        var strays: [Stray] = []
        struct Stray {
            var depth: Int
            var name: String
            var line: Int
            var attributes: [([UInt8], [UInt8])]
            var wraps = false
        }

        init(bytes: UnsafeBufferPointer<UInt8>, emit: @escaping (inout RawXMLRecord, [String: String], Int) -> Void) {
            self.bytes = bytes
            self.emit = emit
        }

        /// The line the parser is on: at a start tag's callback, the line libxml2's tree
        /// builder gives the element (exact past line 65,535, where the tree's is not).
        var line: Int { Int(ctxt?.pointee.input?.pointee.line ?? 0) }
        var column: Int? { ctxt?.pointee.input.map { Int($0.pointee.col) } }

        /// Keeps the first problem and stops the parse.
        mutating func fail(_ e: UnreadableFile) {
            if error == nil { error = e }
            if let ctxt { xmlStopParser(ctxt) }
        }

        static func text(_ p: UnsafePointer<xmlChar>?) -> UnsafeBufferPointer<UInt8> {
            guard let p else { return UnsafeBufferPointer(start: nil, count: 0) }
            return UnsafeBufferPointer(start: UnsafePointer(p), count: strlen(UnsafeRawPointer(p).assumingMemoryBound(to: CChar.self)))
        }

        /// Namespace declarations first, then attributes without a prefix, named and valued as
        /// `xmlTextReader` lists them (a default namespace as `xmlns`, a prefixed one by its prefix).
        static func forEachAttribute(_ nbNamespaces: Int32, _ namespaces: UnsafeMutablePointer<UnsafePointer<xmlChar>?>?,
                                     _ nbAttributes: Int32, _ attributes: UnsafeMutablePointer<UnsafePointer<xmlChar>?>?,
                                     _ body: (UnsafeBufferPointer<UInt8>, UnsafeBufferPointer<UInt8>) -> Void) {
            if let namespaces {
                for k in 0..<Int(nbNamespaces) {
                    if let prefix = namespaces[2 * k] {
                        // `xmlns:volunteer_id="urn:x"` declares a prefix: it names no column.
                        let name = "xmlns:" + String(decoding: text(prefix), as: UTF8.self)
                        var bytes = Array(name.utf8)
                        bytes.withUnsafeMutableBufferPointer { body(UnsafeBufferPointer($0), text(namespaces[2 * k + 1])) }
                    } else {
                        ("xmlns" as StaticString).withUTF8Buffer { body($0, text(namespaces[2 * k + 1])) }
                    }
                }
            }
            guard let attributes else { return }
            for k in 0..<Int(nbAttributes) {
                // An attribute with a prefix (`b:end`) belongs to another vocabulary than the
                // contract's, whose attributes have none: it is not a column (`end`), nor would
                // it override one.
                guard attributes[5 * k + 1] == nil else { continue }
                guard let start = attributes[5 * k + 3], let end = attributes[5 * k + 4] else { continue }
                let value = UnsafeBufferPointer(start: UnsafePointer(start), count: end - start)
                guard value.contains(38) else { body(text(attributes[5 * k]), value); continue }
                // libxml2 hands an attribute's `&` (from `&amp;` or `&#38;`) on as `&#38;`, for a
                // tree builder to read again; no other `&` can be left in a value here.
                var decoded: [UInt8] = []
                decoded.reserveCapacity(value.count)
                var i = 0
                while i < value.count {
                    decoded.append(value[i])
                    i += value[i] == 38 && i + 4 < value.count && value[i + 1] == 35 && value[i + 2] == 51 && value[i + 3] == 56 && value[i + 4] == 59 ? 5 : 1
                }
                decoded.withUnsafeBufferPointer { body(text(attributes[5 * k]), $0) }
            }
        }

        mutating func startElement(_ localname: UnsafePointer<xmlChar>?, _ uri: UnsafePointer<xmlChar>?,
                                   _ nbNamespaces: Int32, _ namespaces: UnsafeMutablePointer<UnsafePointer<xmlChar>?>?,
                                   _ nbAttributes: Int32, _ attributes: UnsafeMutablePointer<UnsafePointer<xmlChar>?>?) {
            guard error == nil else { return }
            let d = depth
            depth += 1
            textRun = 0
            sawRoot = true
            // The limits libxml2's tree builder keeps (without XML_PARSE_HUGE), kept here too.
            if d > 256 {
                fail(UnreadableFile(line: line, column: column, reason: "XML: elements nested more than 256 levels deep; a record needs two or three",
                                    chinese: "XML：元素嵌套超过 256 层"))
                return
            }
            let name = SAXScan.text(localname)
            if let uri, xincludeNamespaces.contains(String(cString: uri)) {
                fail(UnreadableFile(line: line, reason: "XML: <\(String(decoding: name, as: UTF8.self))> (XInclude) is not allowed in input files: it would pull in another file; write the text itself",
                                    chinese: "XML：输入文件中不允许 <\(String(decoding: name, as: UTF8.self))>（XInclude）：它会引入另一个文件；请直接写出文字"))
                return
            }
            if !inRecord {
                // Each name compared once: a large file starts a record here a million times.
                let recordName = recordNames.first(where: { equal(name, $0) })
                let isContext = recordName == nil && contextNames.contains(where: { equal(name, $0) })
                if recordName != nil || isContext {
                    for k in strays.indices { strays[k].wraps = true }
                } else if nbAttributes > 0, strays.count < 64 {
                    var attrs: [([UInt8], [UInt8])] = []
                    SAXScan.forEachAttribute(0, nil, nbAttributes, attributes) { n, v in attrs.append((Array(n), Array(v))) }
                    strays.append(Stray(depth: d, name: String(decoding: name, as: UTF8.self), line: line, attributes: attrs))
                }
                if let recordName {
                    emptyContext = nil
                    raw.start(name: recordName, line: line)
                    SAXScan.forEachAttribute(nbNamespaces, namespaces, nbAttributes, attributes) { n, v in raw.addAttribute(n, v) }
                    inRecord = true
                    recordDepth = d
                } else if isContext {
                    var attrs: [String: String] = [:]
                    SAXScan.forEachAttribute(nbNamespaces, namespaces, nbAttributes, attributes) { n, v in
                        attrs[String(decoding: n, as: UTF8.self)] = String(decoding: v, as: UTF8.self)
                    }
                    context = attrs
                    contextVersion += 1
                    contextDepth = d
                    if nbAttributes > 0 {
                        var pairs: [([UInt8], [UInt8])] = []
                        SAXScan.forEachAttribute(0, nil, nbAttributes, attributes) { n, v in pairs.append((Array(n), Array(v))) }
                        emptyContext = Stray(depth: d, name: String(decoding: name, as: UTF8.self), line: line, attributes: pairs)
                    } else {
                        emptyContext = nil
                    }
                }
            } else if !inChild, d == recordDepth + 1 {
                raw.startChild(name, line: line)
                SAXScan.forEachAttribute(nbNamespaces, namespaces, nbAttributes, attributes) { n, v in raw.addChildAttribute(n, v) }
                inChild = true
                childDepth = d
            }
        }

        mutating func endElement() {
            guard error == nil else { return }
            depth -= 1
            textRun = 0
            let d = depth
            if inChild, d == childDepth {
                inChild = false
            } else if inRecord, d == recordDepth {
                inRecord = false
                emit(&raw, context, contextVersion)
            } else if let last = strays.last, last.depth == d {
                strays.removeLast()
                if !last.wraps {
                    raw.start(name: last.name, line: last.line)
                    for (n, v) in last.attributes {
                        n.withUnsafeBufferPointer { n in v.withUnsafeBufferPointer { v in raw.addAttribute(n, v) } }
                    }
                    emit(&raw, context, contextVersion)
                }
            } else if d == contextDepth {
                context = [:]
                contextVersion += 1
                contextDepth = -1
                if let empty = emptyContext {
                    emptyContext = nil
                    raw.start(name: empty.name, line: empty.line)
                    for (n, v) in empty.attributes {
                        n.withUnsafeBufferPointer { n in v.withUnsafeBufferPointer { v in raw.addAttribute(n, v) } }
                    }
                    emit(&raw, context, contextVersion)
                }
            }
        }

        mutating func characters(_ p: UnsafePointer<xmlChar>?, _ n: Int32) {
            guard error == nil, let p, n > 0 else { return }
            textRun += Int(n)
            if textRun > 10_000_000 {
                fail(UnreadableFile(line: line, column: column, reason: "XML: xmlSAX2Characters: huge text node",
                                    chinese: "XML：文本节点过大"))
                return
            }
            guard inChild else { return }
            raw.addChildText(UnsafeBufferPointer(start: UnsafePointer(p), count: Int(n)))
        }

        static func state(_ ctx: UnsafeMutableRawPointer?) -> UnsafeMutablePointer<SAXScan> {
            ctx!.assumingMemoryBound(to: SAXScan.self)
        }

        /// The callbacks: elements, text, and what makes a file hostile.
        // Never written after it is made; libxml2 copies it into each parser.
        nonisolated(unsafe) static let handler: xmlSAXHandler = {
            var h = xmlSAXHandler()
            h.initialized = XML_SAX2_MAGIC
            h.startElementNs = { ctx, localname, _, uri, nbNamespaces, namespaces, nbAttributes, _, attributes in
                SAXScan.state(ctx).pointee.startElement(localname, uri, nbNamespaces, namespaces, nbAttributes, attributes)
            }
            h.endElementNs = { ctx, _, _, _ in SAXScan.state(ctx).pointee.endElement() }
            h.characters = { ctx, p, n in SAXScan.state(ctx).pointee.characters(p, n) }
            h.cdataBlock = { ctx, p, n in SAXScan.state(ctx).pointee.characters(p, n) }
            h.ignorableWhitespace = { ctx, p, n in SAXScan.state(ctx).pointee.characters(p, n) }
            // A comment or processing instruction ends a text node, as in libxml2's tree.
            h.comment = { ctx, _ in SAXScan.state(ctx).pointee.textRun = 0 }
            h.processingInstruction = { ctx, _, _ in SAXScan.state(ctx).pointee.textRun = 0 }
            h.internalSubset = { ctx, _, _, _ in
                let s = SAXScan.state(ctx)
                // The DOCTYPE has no line of its own (the parser's runs ahead): find it in the bytes.
                let at = doctypePosition(s.pointee.bytes)
                s.pointee.fail(UnreadableFile(line: at?.line ?? s.pointee.line, column: at?.column,
                                              reason: "XML: a DOCTYPE is not allowed in input files (it can hide entities); remove it",
                                              chinese: "XML：输入文件中不允许 DOCTYPE（其中可能藏有实体）；请删除"))
            }
            h.reference = { ctx, _ in
                let s = SAXScan.state(ctx)
                s.pointee.fail(UnreadableFile.entityReference(line: s.pointee.line))
            }
            h.serror = { ctx, error in
                guard let ctx, let error else { return }
                let s = SAXScan.state(ctx)
                guard s.pointee.error == nil else { return }
                let line = Int(error.pointee.line), column = Int(error.pointee.int2) > 0 ? Int(error.pointee.int2) : nil
                // An entity never declared (`&nbsp;`, HTML's): the same refusal as one declared.
                if error.pointee.code == Int32(XML_ERR_UNDECLARED_ENTITY.rawValue) || error.pointee.code == Int32(XML_WAR_UNDECLARED_ENTITY.rawValue) {
                    s.pointee.fail(UnreadableFile.entityReference(line: line, column: column))
                    return
                }
                // libxml2 puts some details on a second line ("…encoding !\nBytes: 0xE9 …"): one line.
                let message = error.pointee.message.map { String(cString: $0).split(whereSeparator: \.isNewline).joined(separator: " ") }?.trimmingSpaces ?? "XML error"
                s.pointee.fail(UnreadableFile(line: line, column: column, reason: "XML: \(message)", chinese: "XML 格式错误（libxml2：\(message)）"))
            }
            return h
        }()
    }

    /// The encoding the document's XML declaration names, lowercased; nil without one.
    static func declaredEncoding(_ bytes: UnsafeBufferPointer<UInt8>) -> String? {
        let head = String(decoding: UnsafeBufferPointer(rebasing: bytes.prefix(200)), as: UTF8.self).lowercased()
        guard head.hasPrefix("<?xml") || head.hasPrefix("\u{FEFF}<?xml") else { return nil }
        return head.firstMatch(of: /encoding\s*=\s*["']([^"']+)["']/).map { String($0.1) }
    }

    /// `declaresGB`, for a file without a byte order mark (which decides the encoding itself).
    static func declaresGBWithoutBOM(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        declaresGB(bytes) && !bytes.starts(with: [0xEF, 0xBB, 0xBF]) && !bytes.starts(with: [0xFF, 0xFE]) && !bytes.starts(with: [0xFE, 0xFF])
    }

    /// Whether the declaration names GB2312, GBK or GB18030 (or another name of them).
    static func declaresGB(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let name = declaredEncoding(bytes) else { return false }
        return name.hasPrefix("gb") || ["cp936", "windows-936", "ms936", "x-gbk", "euc-cn"].contains(name)
    }

    /// A file that declares GBK (or GB2312, GB18030) whose Chinese is UTF-8: the UTF-8 of Chinese
    /// is valid GB18030 whenever a value holds an even number of characters, so libxml2 would read
    /// it without an error as other characters (李四 → 鏉庡洓, a unit 乙办 → 涔欏姙). A file that is
    /// UTF-8 throughout and holds a Chinese character in it (a byte E3–E9, the lead of U+3000–U+9FFF,
    /// which GBK text that happens to be valid UTF-8 — 郑伟 — does not give) is named at that
    /// character's line; a file that is UTF-8 on some lines only, at the line where it changes
    /// (`GB18030.firstUTF8Line`, as for CSV). Nil for anything else, and with a byte order mark.
    /// - Parameter firstInvalid: the file's first byte that is not UTF-8 (`UTF8Check.firstInvalid`).
    /// The UTF-8 file's reason is what its Chinese would become; `withEncodingHint` adds what to change,
    /// as for a file libxml2 refuses.
    static func wrongGBDeclaration(_ bytes: UnsafeBufferPointer<UInt8>, firstInvalid: Int?) -> UnreadableFile? {
        guard let invalid = firstInvalid else {
            guard let at = bytes.firstIndex(where: { (0xE3...0xE9).contains($0) }) else { return nil }
            return UnreadableFile(line: TextBuffer.lineNumber(at: at, in: bytes),
                                  reason: "XML: the Chinese on this line would be read as other characters",
                                  chinese: "XML：这一行的中文会被读成别的字")
        }
        guard let line = GB18030.firstUTF8Line(in: bytes) else { return nil }
        return GB18030.mixed(utf8Line: TextBuffer.lineNumber(at: line, in: bytes), gb18030Line: TextBuffer.lineNumber(at: invalid, in: bytes))
    }

    /// A file that libxml2 refused, with what its encoding most likely is when that explains it:
    /// it declares GBK (or GB2312, GB18030) but is written in UTF-8 — libxml2 then reports some
    /// unrelated syntax error — or it declares nothing, or UTF-8, and is GB18030 (GBK) throughout.
    static func withEncodingHint(_ error: UnreadableFile, bytes: UnsafeBufferPointer<UInt8>) -> UnreadableFile {
        var e = error
        let declared = declaredEncoding(bytes)
        let gb = declaresGB(bytes)
        let nonASCII = bytes.contains { $0 >= 0x80 }
        let validUTF8 = UTF8Check.firstInvalid(bytes) == nil
        let utf16 = bytes.starts(with: [0xFF, 0xFE]) || bytes.starts(with: [0xFE, 0xFF]) || declared.map { $0.contains("16") } ?? false
        if gb, nonASCII, validUTF8 {
            e.reason += "; the file declares a GB encoding but is written in UTF-8: change its first line to encoding=\"UTF-8\""
            e.chinese += "；文件声明了 GB 编码，实际却是 UTF-8：把第一行改为 encoding=\"UTF-8\""
        } else if !gb, !utf16, !validUTF8, bytes.count <= 16 << 20, let (text, _) = try? GB18030.convert(bytes) {
            text.deallocate() // GB18030 throughout: a GBK file that did not say so
            e.reason += "; the file is not UTF-8 (GBK?): write encoding=\"GB18030\" in its first line (<?xml version=\"1.0\" encoding=\"GB18030\"?>), or save it as UTF-8"
            e.chinese += "；文件不是 UTF-8（是 GBK？）：在第一行写明 encoding=\"GB18030\"（<?xml version=\"1.0\" encoding=\"GB18030\"?>），或另存为 UTF-8"
        }
        return e
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

    private static func equal(_ bytes: UnsafeBufferPointer<UInt8>, _ name: String) -> Bool {
        name.utf8.count == bytes.count && name.utf8.elementsEqual(bytes)
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
        var line: Int
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

    mutating func startChild(_ n: UnsafeBufferPointer<UInt8>, line: Int) {
        let name = append(n)
        children.append(Child(name: name, text: bytes.count..<bytes.count, line: line))
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
            rec.children.append(XMLRecord.Child(name: string(c.name), attributes: ca, text: string(c.text), line: c.line))
        }
        return rec
    }
}

extension UnreadableFile {
    static let notXML = UnreadableFile(line: 1, reason: "the file is empty or not XML", chinese: "文件为空或不是 XML")

    /// An entity reference, declared (by a DOCTYPE) or not (`&nbsp;`): never expanded.
    static func entityReference(line: Int, column: Int? = nil) -> UnreadableFile {
        UnreadableFile(line: line, column: column, reason: "XML: entity references are not allowed in input files; write the text itself",
                       chinese: "XML：输入文件中不允许实体引用；请直接写出文字")
    }
}
