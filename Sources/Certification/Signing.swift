import ConformanceKit
import Foundation

/// Signs a bundle's manifest, and checks the signature, with OpenSSH's
/// `ssh-keygen -Y sign` / `-Y verify` (SSHSIG, the format git uses to sign
/// commits), under the namespace `telecomx-conformance`. No cryptography of
/// our own: digests prove a bundle is intact, the signature proves who made it.
public enum Signing {
    public static let namespace = "telecomx-conformance"
    public static let signatureSuffix = ".sig"

    public struct Failure: Error, Sendable, CustomStringConvertible {
        /// The file the failure is about, when there is one.
        public var file: String? = nil
        public var message: String
        public var description: String { (file.map { $0 + ": " } ?? "") + message }
    }

    /// `ssh-keygen` on the PATH of `environment`, or a failure naming the package to install.
    public static func sshKeygen(environment: [String: String]) throws(Failure) -> String {
        for dir in (environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            let candidate = "\(dir)/ssh-keygen"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        throw Failure(
            message: "ssh-keygen is not installed (it signs and verifies bundles): install the openssh-client package, "
                + "e.g. apt-get install -y openssh-client")
    }

    /// Writes `<manifest>.sig` with the private key at `keyPath`. The key must
    /// have no passphrase, or be held by ssh-agent: nothing is asked.
    public static func sign(manifest: String, keyPath: String, sshKeygen: String) throws(Failure) {
        guard FileManager.default.isReadableFile(atPath: keyPath) else {
            throw Failure(message: "--sign-key: cannot read the private key \(keyPath)")
        }
        try? FileManager.default.removeItem(atPath: manifest + signatureSuffix)
        let r = run(sshKeygen, ["-Y", "sign", "-f", keyPath, "-n", namespace, manifest], stdin: nil)
        guard r.status == 0, FileManager.default.fileExists(atPath: manifest + signatureSuffix) else {
            throw Failure(message: "ssh-keygen -Y sign failed (\(r.status)): \(oneLine(r.output))")
        }
    }

    /// Checks the manifest's signature against `allowedSigners` (OpenSSH's
    /// allowed_signers format): the signer's identity, or what is wrong.
    public static func verify(
        manifest: String, allowedSigners: String, sshKeygen: String
    ) -> Result<String, Failure> {
        let signature = manifest + signatureSuffix
        guard FileManager.default.fileExists(atPath: signature) else {
            return .failure(Failure(file: signature, message: "missing: the bundle is not signed (certify --sign-key)"))
        }
        guard FileManager.default.isReadableFile(atPath: allowedSigners) else {
            return .failure(Failure(message: "--allowed-signers: cannot read \(allowedSigners)"))
        }
        // Who signed it: the allowed signer whose key made the signature.
        let found = run(sshKeygen, ["-Y", "find-principals", "-s", signature, "-f", allowedSigners], stdin: nil)
        let principals = found.output.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard found.status == 0, let principal = principals.first else {
            return .failure(
                Failure(
                    file: signature,
                    message: "not made by a key in \(allowedSigners) for namespace \(namespace) (ssh-keygen: \(oneLine(found.output)))"))
        }
        let checked = run(
            sshKeygen, ["-Y", "verify", "-f", allowedSigners, "-I", principal, "-n", namespace, "-s", signature], stdin: manifest)
        guard checked.status == 0 else {
            return .failure(
                Failure(
                    file: manifest,
                    message: "does not match its signature by \(principal): the manifest, or a report whose digest it holds, "
                        + "was changed after signing (ssh-keygen: \(oneLine(checked.output)))"))
        }
        return .success(principal)
    }

    static func oneLine(_ s: String) -> String {
        s.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }.joined(separator: "; ")
    }

    /// Runs a program with standard input from `stdin` (a file) or nothing;
    /// returns its status and its output and errors together.
    static func run(_ executable: String, _ arguments: [String], stdin: String?) -> (status: Int32, output: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: executable)
        p.arguments = arguments
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = pipe
        if let stdin, let input = FileHandle(forReadingAtPath: stdin) {
            p.standardInput = input
        } else {
            p.standardInput = FileHandle.nullDevice
        }
        do {
            try p.run()
        } catch {
            return (-1, "could not run \(executable): \(error.localizedDescription)")
        }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}
