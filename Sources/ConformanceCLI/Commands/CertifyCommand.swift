import ConformanceKit

extension CLI {
    public static let certifyHelp = """
        conformance certify — a certification run and a bundle a third party can verify

        USAGE
          conformance certify --target FILE --out DIR [--sign-key KEY] [--simulator] [--base-url URL] [--jobs N] [--timeout S] [--retries N]

        Runs the whole suite (no selection allowed) and writes DIR/junit.xml, results.json,
        report.html, summary.md and manifest.json (tool and suite versions, SHA-256 of every
        spec, schema and case file and of the suite, target, times, counts, verdict, and the
        SHA-256 of each report). Certifiable only if every required case passed: a pass after
        a retry, or a skipped required case, is not certifiable.

        --sign-key KEY signs manifest.json with the SSH private key KEY (no passphrase, or held
        by ssh-agent): ssh-keygen -Y sign, namespace telecomx-conformance, writing
        manifest.json.sig. `verify --allowed-signers FILE` checks it. Needs ssh-keygen
        (package openssh-client).

        EXIT STATUS
          0 certifiable · 1 not certifiable · 2 usage or suite error (or signing failed)
        """

    static func certify(_ args: [String], environment: [String: String], console: Console) async throws -> ExitStatus {
        try await run(args, environment: environment, console: console, certify: true)
    }
}
