import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// One run at a time per reports folder: two runs writing the same folder
/// would overwrite each other's reports silently, leaving a mix of both.
/// The lock is a file created with O_EXCL holding the run's pid; a lock
/// whose pid no longer runs (a run that was killed) is stale and taken over.
final class ReportsLock {
    static let fileName = ".conformance-run.lock"
    let path: String

    private init(path: String) { self.path = path }

    /// Takes the lock on `dir` (created if missing), or says why not: the
    /// folder is in use by a live run (naming its pid and the fix).
    static func acquire(_ dir: String) -> Result<ReportsLock, LockError> {
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let path = dir + "/" + fileName
        // Two tries: the second after removing a stale lock.
        for _ in 0..<2 {
            let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
            if fd >= 0 {
                let text = Array("\(getpid())\n".utf8)
                _ = text.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
                close(fd)
                return .success(ReportsLock(path: path))
            }
            guard errno == EEXIST else {
                // No lock can be made (a read-only folder…): writing the reports will say why.
                return .success(ReportsLock(path: ""))
            }
            let owner = FileManager.default.contents(atPath: path).flatMap {
                Int32(String(decoding: $0, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
            }
            if let owner, owner > 0, isRunning(owner) {
                return .failure(
                    LockError(
                        message:
                            "the reports folder \(dir) is in use by another run (pid \(owner)); two runs would overwrite each other's reports. Pass another --reports DIR, or wait for that run to end"
                    ))
            }
            // Stale (its run is gone) or unreadable: taken over.
            unlink(path)
        }
        return .failure(LockError(message: "the reports folder \(dir) was locked by another run just now; pass another --reports DIR"))
    }

    static func isRunning(_ pid: Int32) -> Bool {
        kill(pid, 0) == 0 || errno == EPERM
    }

    /// Removes the lock (it is ours).
    func release() {
        if !path.isEmpty { unlink(path) }
    }

    struct LockError: Error {
        var message: String
    }
}
