import ConformanceKit
import Certification
import Foundation
import Testing

/// Signed bundles: ssh-keygen -Y sign / -Y verify over the manifest.
@Suite(.serialized) struct SigningTests {
    /// A throwaway ed25519 key and an allowed_signers file trusting it for our namespace.
    static func key(in tmp: TempDir, name: String, identity: String) throws -> (key: String, allowed: String) {
        let sshKeygen = try #require(executablePath("ssh-keygen"), "ssh-keygen is required (.ci/run installs openssh-client)")
        let key = tmp.path + "/" + name
        let r = try runProcess(sshKeygen, ["-q", "-t", "ed25519", "-N", "", "-C", identity, "-f", key])
        #expect(r.status == 0, "\(r.output)")
        let pub = try String(contentsOfFile: key + ".pub", encoding: .utf8).split(separator: " ").prefix(2).joined(separator: " ")
        let allowed = tmp.path + "/" + name + ".allowed_signers"
        try Data("\(identity) namespaces=\"\(Signing.namespace)\" \(pub)\n".utf8).write(to: URL(fileURLWithPath: allowed))
        return (key, allowed)
    }

    /// Edits summary.md and recomputes its digest in the manifest and the manifest's own: what a forger would do.
    static func forge(_ dir: String) throws {
        let summary = dir + "/summary.md"
        let before = try SHA256.hexOfFile(path: summary)
        try Data((try String(contentsOfFile: summary, encoding: .utf8) + "\nCertified by the vendor, no failures.\n").utf8)
            .write(to: URL(fileURLWithPath: summary))
        let after = try SHA256.hexOfFile(path: summary)
        let manifestPath = dir + "/manifest.json"
        let manifest = try String(contentsOfFile: manifestPath, encoding: .utf8).replacingOccurrences(of: before, with: after)
        try Data(manifest.utf8).write(to: URL(fileURLWithPath: manifestPath))
        let digest = SHA256.hex(SHA256.hash(Array(manifest.utf8)))
        try Data("\(digest)  manifest.json\n".utf8).write(to: URL(fileURLWithPath: manifestPath + ".sha256"))
    }

    @Test func aSignedBundleVerifiesAndAForgedOneWithRecomputedDigestsFails() async throws {
        let tmp = TempDir()
        defer { tmp.cleanup() }
        let (key, allowed) = try SigningTests.key(in: tmp, name: "certifier", identity: "certifier@example.org")
        let out = tmp.path + "/bundle"
        let env = ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"]
        let (status, c) = await conformance(
            ["certify", "--suite", Project.cases, "--target", Project.cases + "/targets/simulator.json", "--simulator", "--out", out,
             "--sign-key", key], environment: env)
        #expect(status == 0, "\(c.out)\n\(c.err)")
        #expect(c.out.contains("signature: \(out)/manifest.json.sig (ssh-keygen -Y sign, namespace telecomx-conformance)"), "\(c.out)")

        let (ok, v) = await conformance(["verify", out, "--suite", Project.cases, "--allowed-signers", allowed], environment: env)
        #expect(ok == 0, "\(v.out)")
        #expect(v.out.contains("signed by certifier@example.org (namespace telecomx-conformance), unchanged since"), "\(v.out)")

        let forged = tmp.path + "/forged"
        try FileManager.default.copyItem(atPath: out, toPath: forged)
        try SigningTests.forge(forged)
        // The digests alone cannot tell: they were recomputed.
        let (digestsOnly, d) = await conformance(["verify", forged, "--suite", Project.cases], environment: env)
        #expect(digestsOnly == 0, "\(d.out)")
        // The signature can, and names what failed.
        let (bad, b) = await conformance(["verify", forged, "--suite", Project.cases, "--allowed-signers", allowed], environment: env)
        #expect(bad == 1, "\(b.out)")
        #expect(b.out.contains("FAIL  \(forged)/manifest.json: does not match its signature by certifier@example.org"), "\(b.out)")

        // Signed by a key the certifying body did not issue: refused, naming the signature.
        let (otherKey, _) = try SigningTests.key(in: tmp, name: "stranger", identity: "stranger@example.org")
        let sshKeygen = try #require(executablePath("ssh-keygen"))
        let resigned = tmp.path + "/resigned"
        try FileManager.default.copyItem(atPath: forged, toPath: resigned)
        try FileManager.default.removeItem(atPath: resigned + "/manifest.json.sig")
        let r = try runProcess(sshKeygen, ["-Y", "sign", "-f", otherKey, "-n", Signing.namespace, resigned + "/manifest.json"])
        #expect(r.status == 0, "\(r.output)")
        let (stranger, s) = await conformance(["verify", resigned, "--suite", Project.cases, "--allowed-signers", allowed], environment: env)
        #expect(stranger == 1)
        #expect(s.out.contains("FAIL  \(resigned)/manifest.json.sig: not made by a key in \(allowed)"), "\(s.out)")

        // An unsigned bundle fails when a signature is required.
        try FileManager.default.removeItem(atPath: resigned + "/manifest.json.sig")
        let (unsigned, u) = await conformance(["verify", resigned, "--suite", Project.cases, "--allowed-signers", allowed], environment: env)
        #expect(unsigned == 1)
        #expect(u.out.contains("manifest.json.sig: missing: the bundle is not signed"), "\(u.out)")
    }

    @Test func withoutSshKeygenSigningIsAClearErrorNamingThePackage() async throws {
        let tmp = TempDir()
        defer { tmp.cleanup() }
        try tmp.write("key", "not a key")
        let env = ["PATH": tmp.path + "/no-such-dir"]
        let (status, c) = await conformance(
            ["certify", "--suite", Project.cases, "--target", Project.cases + "/targets/simulator.json", "--simulator",
             "--out", tmp.path + "/b", "--sign-key", tmp.path + "/key"], environment: env)
        #expect(status == 2)
        #expect(c.err.contains("ssh-keygen is not installed"), "\(c.err)")
        #expect(c.err.contains("openssh-client"))
        #expect(!FileManager.default.fileExists(atPath: tmp.path + "/b/manifest.json"), "nothing runs when it cannot be signed")
        let (v, vc) = await conformance(["verify", tmp.path, "--allowed-signers", tmp.path + "/key"], environment: env)
        #expect(v == 2)
        #expect(vc.err.contains("apt-get install -y openssh-client"))
        let (r, rc) = await conformance(["run", "--sign-key", tmp.path + "/key"], environment: env)
        #expect(r == 2)
        #expect(rc.err.contains("--sign-key is for certify"))
    }
}
