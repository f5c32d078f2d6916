import CLibXML2

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
    static let recordNames: Set<String> = ["volunteer", "activity", "submission"]
    static let contextNames: Set<String> = ["roster", "activities", "submissions"]

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

    /// Streams the record elements of a document to `body`, one at a time, as they are read:
    /// a large file is never held as a list of records.
    static func forEachRecord(in bytes: UnsafeBufferPointer<UInt8>, name: String,
                              _ body: (XMLRecord) -> Void) throws(UnreadableFile) {
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
        var contextDepth = -1
        var current: XMLRecord?
        var recordDepth = -1
        var child: XMLRecord.Child?
        var childDepth = -1
        var sawRoot = false

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
                // The parser's own line runs ahead of the node handed back; the node's is exact.
                let line = nodeLine(reader)
                let name = localName(reader)
                if let ns = xmlTextReaderConstNamespaceUri(reader), xincludeNamespaces.contains(String(cString: ns)) {
                    throw UnreadableFile(line: line, reason: "XML: <\(name)> (XInclude) is not allowed in input files: it would pull in another file; write the text itself")
                }
                let attrs = attributes(reader)
                let empty = xmlTextReaderIsEmptyElement(reader) == 1
                if current == nil {
                    if recordNames.contains(name) {
                        current = XMLRecord(name: name, line: line, attributes: attrs, context: context)
                        recordDepth = depth
                        if empty { body(current!); current = nil }
                    } else if contextNames.contains(name) {
                        context = attrs
                        contextDepth = depth
                    }
                } else if child == nil, depth == recordDepth + 1 {
                    let c = XMLRecord.Child(name: name, attributes: attrs, text: "")
                    if empty { current!.children.append(c) } else { child = c; childDepth = depth }
                }
            case Int32(XML_READER_TYPE_TEXT.rawValue), Int32(XML_READER_TYPE_CDATA.rawValue),
                 Int32(XML_READER_TYPE_SIGNIFICANT_WHITESPACE.rawValue):
                if child != nil, let v = xmlTextReaderConstValue(reader) {
                    child!.text += String(cString: v)
                }
            case Int32(XML_READER_TYPE_END_ELEMENT.rawValue):
                if let c = child, depth == childDepth {
                    current!.children.append(c)
                    child = nil
                } else if let rec = current, depth == recordDepth {
                    body(rec)
                    current = nil
                } else if depth == contextDepth {
                    context = [:]
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
