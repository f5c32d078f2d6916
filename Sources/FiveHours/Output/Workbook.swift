import CXlsxWriter
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// One .xlsx workbook being written by libxlsxwriter, which this class alone owns.
///
/// libxlsxwriter writes the workbook's structure and each sheet's header row (the rows are
/// spliced in afterwards: `WorkbookZip`), in its constant-memory mode, with its temporary files
/// in a private folder. `close()` writes the file (the zip of every part) and frees the handle;
/// a workbook dropped without `close()` (an error on the way) is freed in `deinit` without
/// writing anything. Worksheets and formats belong to the workbook and die with it: they are
/// handed out as plain pointers only to `WorkbookWriter`.
///
/// Every text reaches C through `worksheet_write_string` (data, never a format string).
final class Workbook {
    private var handle: UnsafeMutablePointer<lxw_workbook>?
    /// The `tmpdir` string libxlsxwriter reads while the workbook lives.
    private let tempFolderC: UnsafeMutablePointer<CChar>
    let path: String

    /// Opens `path` for writing, with libxlsxwriter's temporary files in `tempFolder`.
    ///
    /// - Parameter created: the instant shown as the workbook's creation time (`--now`): with it
    ///   fixed, the same data gives the same bytes (libxlsxwriter stamps the zip entries with a
    ///   fixed date of its own).
    init(path: String, tempFolder: String, created: Int) throws {
        self.path = path
        guard let tmp = strdup(tempFolder) else { throw OutputError(path: path, reason: "out of memory") }
        tempFolderC = tmp
        var options = lxw_workbook_options()
        options.constant_memory = UInt8(LXW_TRUE.rawValue)
        options.tmpdir = tmp
        guard let wb = workbook_new_opt(path, &options) else {
            free(tmp)
            throw OutputError(path: path, reason: "libxlsxwriter cannot create the workbook")
        }
        handle = wb
        var properties = lxw_doc_properties()
        properties.created = time_t(created)
        try check(workbook_set_properties(wb, &properties), "the workbook's properties")
    }

    deinit {
        if let wb = handle { lxw_workbook_free(wb) }
        free(tempFolderC)
    }

    private func check(_ error: lxw_error, _ what: String) throws {
        guard error != LXW_NO_ERROR else { return }
        throw OutputError(path: path, reason: "\(what): \(String(cString: lxw_strerror(error)))")
    }

    /// A new worksheet; `name` must be a valid sheet name (≤ 31 characters, none of `[]:*?/\`).
    func addSheet(_ name: String) throws -> UnsafeMutablePointer<lxw_worksheet> {
        guard let wb = handle, let sheet = workbook_add_worksheet(wb, name) else {
            throw OutputError(path: path, reason: "libxlsxwriter refused the sheet name '\(name)'")
        }
        return sheet
    }

    /// A new cell format, set up by `configure`.
    func addFormat(_ configure: (UnsafeMutablePointer<lxw_format>) -> Void) throws -> UnsafeMutablePointer<lxw_format> {
        guard let wb = handle, let format = workbook_add_format(wb) else {
            throw OutputError(path: path, reason: "libxlsxwriter cannot add a format")
        }
        configure(format)
        return format
    }

    /// libxlsxwriter writes the creation time through `gmtime()`, whose result is one static
    /// buffer per process: workbooks close one at a time (a run writes one workbook; only tests
    /// write several at once).
    private static let closing = NSLock()

    /// Writes the workbook to `path` and frees it; the handle is gone afterwards, whatever the outcome.
    func close() throws {
        guard let wb = handle else { return }
        handle = nil
        let error = Workbook.closing.withLock { workbook_close(wb) }
        try check(error, "writing the workbook")
    }
}
