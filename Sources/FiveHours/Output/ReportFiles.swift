/// The files of one run, in the order the pipeline makes them: the end of the pipeline that
/// touches the disk, kept behind one small type so that the stages before it stay plain values.
///
/// On the command line (`writing(under:)`) each file goes into the report's staging folder as
/// soon as it is made (`ReportFolder.Staging`), while the run makes the next: a year's 180 MB
/// `volunteer-weeks.csv` is on its way to disk while `findings.csv` is made and scrubbed, and its
/// bytes are let go once written rather than held, with every other file, until the last one.
/// Tests keep the files in memory (`ReportFiles()`) and read them from `files`.
public final class ReportFiles: @unchecked Sendable {
    // Used from the pipeline's own thread only (the stages that make files on several cores
    // hand them back before they are added); the writes run on the staging's thread.

    /// The report folder's name (`weekly-2019-08-09`), once `open` named it.
    public private(set) var folder = ""
    /// Every file added, in order.
    public private(set) var names: [String] = []
    /// The files, in memory; empty when they are written as they come.
    public private(set) var files: [(String, [UInt8])] = []
    private let parent: String?
    private var staging: ReportFolder.Staging?

    /// Files kept in memory.
    public init() { parent = nil }

    /// Files written into a report folder under `parent` (the output folder, whose lock the
    /// caller holds) as they come.
    public static func writing(under parent: String) -> ReportFiles { ReportFiles(parent: parent) }

    private init(parent: String) { self.parent = parent }

    /// Names the report folder; on disk, starts its staging folder. Called once, before any file.
    public func open(_ folder: String) throws {
        precondition(self.folder.isEmpty, "a run's report folder is named once")
        self.folder = folder
        if let parent { staging = try ReportFolder(parent: parent, name: folder).stage() }
    }

    /// Adds a file.
    /// - Throws: `OutputError` when a file added before could not be written (a full disk, a
    ///   limit on file size): the run stops there, not after making every other file.
    public func add(_ name: String, _ bytes: [UInt8]) throws { try add(name, pieces: [bytes]) }

    /// Adds a file made of these pieces one after the other (a table made in chunks on every
    /// core): written piece by piece, joined only when kept in memory.
    public func add(_ name: String, pieces: [[UInt8]]) throws {
        precondition(!folder.isEmpty, "the report folder is named before its files are added")
        names.append(name)
        if let staging {
            if let failed { throw failed }
            staging.write(name, pieces: pieces)
        } else {
            files.append((name, pieces.count == 1 ? pieces[0] : Array(pieces.joined())))
        }
    }

    /// On disk: waits for the writes, copies `copies` (name → source path) and puts the folder
    /// in place, atomically; returns its path. In memory: the folder's name.
    @discardableResult
    public func commit(copies: [(String, String)] = []) throws -> String {
        guard let staging, let parent else { return folder }
        try staging.commit(copies: copies)
        return ReportFolder(parent: parent, name: folder).path
    }

    /// On disk: the first write that failed so far (nil while none has), without waiting for
    /// the writes still to come; `add` throws it.
    public var failed: OutputError? { staging?.failed }

    /// A run that failed: the staging folder is removed, the earlier report stays as it was.
    public func abandon() { staging?.abandon() }
}
