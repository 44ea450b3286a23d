import ConformanceKit
import Certification
import Foundation

extension CLI {
    static let verifyHelp = """
        conformance verify — check a certification bundle

        USAGE
          conformance verify DIR [--suite Cases] [--allowed-signers FILE]

        Recomputes the SHA-256 of every report in the bundle and of the manifest, checks the
        manifest's counts and verdict against results.json and junit.xml, and compares the suite
        digest (every file the suite loader reads) with the local suite (naming the files that
        differ). A bundle holds only its reports, the manifest, its digest and signature: an extra
        file, a symbolic link or a manifest path that leaves the bundle fails it. On success it
        prints the target, suite digest, verdict and level (required, or none when a
        required case blocks) it verified.

        Digests prove a bundle intact, not who made it: anyone can edit a report and recompute
        them. --allowed-signers FILE (OpenSSH allowed_signers: `identity namespaces="telecomx-conformance"
        ssh-ed25519 AAAA…`) also checks manifest.json.sig with ssh-keygen -Y verify: the bundle must
        be signed by one of those keys and unchanged since. Needs ssh-keygen (package openssh-client).

        EXIT STATUS
          0 everything holds · 1 something does not (each problem names its file) · 2 usage error
        """

    static func verify(_ args: [String], environment: [String: String], console: Console) throws -> ExitStatus {
        let spec = ArgumentSpec(flags: ["help"], options: ["suite", "allowed-signers"], positionals: 1)
        guard let p = try parseArguments(args, spec: spec, help: verifyHelp, console: console) else { return .passed }
        guard let dir = p.positionals.first else { throw UsageError("verify needs the bundle folder") }
        var problems = Certification.verify(dir: dir, suiteRoot: p.suiteRoot)
        var signedBy: String?
        if let allowed = p.value("allowed-signers") {
            let sshKeygen: String
            do { sshKeygen = try Signing.sshKeygen(environment: environment) } catch { throw UsageError(error.message) }
            let manifest = dir + "/" + Certification.manifestName
            switch Signing.verify(manifest: manifest, allowedSigners: allowed, sshKeygen: sshKeygen) {
            case .success(let who): signedBy = who
            case .failure(let f): problems.append(Certification.Problem(file: f.file ?? allowed, message: f.message))
            }
        }
        if problems.isEmpty {
            console.out("\(dir): every digest, count and the verdict hold; the suite matches")
            if let c = Certification.claim(dir: dir) {
                console.out("\(dir): certifies \(c.target) (\(c.baseURL)) against suite \(c.suiteSha256): \(c.verdict)")
                console.out("  target:       \(c.target) \(c.baseURL)")
                console.out("  suite digest: \(c.suiteSha256)")
                console.out("  verdict:      \(c.verdict)")
                console.out("  level:        \(c.level)")
            }
            if let signedBy {
                console.out("\(dir): signed by \(signedBy) (namespace \(Signing.namespace)), unchanged since")
            } else if FileManager.default.fileExists(atPath: dir + "/" + Certification.manifestName + Signing.signatureSuffix) {
                console.out("note: the bundle is signed; pass --allowed-signers FILE to check who signed it")
            }
            return .passed
        }
        for pr in problems { console.out("FAIL  \(pr)") }
        console.out("\(problems.count) problem\(problems.count == 1 ? "" : "s") in \(dir)")
        return .failed
    }
}
