import ConformanceKit
import Certification
import Foundation

extension CLI {
    public static let certifyHelp = """
        conformance certify — a certification run and a bundle a third party can verify

        USAGE
          conformance certify --target FILE --out DIR [--sign-key KEY] [--simulator] [--base-url URL] [--jobs N] [--timeout S] [--retries N]

        Runs the whole suite (no selection allowed) and writes in DIR the reports
        (\(ReportFormat.fileList(ReportFormat.certified)))
        and manifest.json (tool and suite versions, SHA-256 of every spec, schema and case file
        and of the suite, target, times, counts, verdict, and the SHA-256 of each report).
        Certifiable only if every required case passed: a pass after a retry, or a skipped
        required case, is not certifiable.

        --sign-key KEY signs manifest.json with the SSH private key KEY (no passphrase, or held
        by ssh-agent): ssh-keygen -Y sign, namespace telecomx-conformance, writing
        manifest.json.sig. `verify --allowed-signers FILE` checks it. Needs ssh-keygen
        (package openssh-client).

        EXIT STATUS
          0 certifiable · 1 not certifiable · 2 usage or suite error (or signing failed)
        """

    /// `conformance certify`: `run`'s pipeline over the whole suite, reported as a bundle.
    static func certify(_ args: [String], environment: [String: String], console: Console) async throws -> ExitStatus {
        try await run(args, environment: environment, console: console, certify: true)
    }

    /// Report, for certify: the bundle in --out DIR, signed with --sign-key, and the verdict.
    static func bundle(_ result: RunResult, target: TargetProfile, _ s: RunSettings, console: Console) -> ExitStatus {
        let reportsDir = s.reportsDir
        // As before formats were values: a bundle's junit.xml has no file attributes.
        let context = ReportContext(meta: runMetadata(target: target, s), hostname: ProcessInfo.processInfo.hostName)
        let w: Certification.Written
        do {
            w = try Certification.writeBundle(
                run: result, context: context, suite: s.suiteDigest, profilePath: s.targetPath, dir: reportsDir)
        } catch {
            return reportsNotWritten(error, to: reportsDir, result, console: console)
        }
        printVerdicts(result, console: console)
        console.out("bundle: \(reportsDir) (\(ReportFormat.fileList(ReportFormat.certified)), \(Certification.manifestName))")
        if let signer = s.signer {
            do {
                try Signing.sign(manifest: w.manifestPath, keyPath: signer.key, sshKeygen: signer.sshKeygen)
            } catch {
                console.err("error: the bundle was written but not signed: \(error.message)")
                return .usage
            }
            console.out("signature: \(w.manifestPath)\(Signing.signatureSuffix) (ssh-keygen -Y sign, namespace \(Signing.namespace))")
        }
        if w.certifiable {
            console.out("verdict: CERTIFIABLE — every required case passed")
            return .passed
        }
        console.out("verdict: NOT CERTIFIABLE — required cases that did not pass cleanly:")
        for r in result.blockingCases {
            let why: String
            switch r.verdict {
            case .passed, .ambiguous: why = "passed only after a retry (flaky)"
            case .failed: why = "failed: " + (r.failures.first?.message ?? "")
            case .error(let m): why = "error: " + m
            case .skipped(let m): why = "skipped: " + m
            }
            console.out("  \(r.endpointID)/\(r.caseID): \(why)")
        }
        return .failed
    }
}
