using System.Text;
using Octopus.Cli.Infrastructure;
using Octopus.Contracts;

namespace Octopus.Cli.Tests.EndToEnd;

/// <summary><c>octopus host power-config</c> against a real server process: the password read from stdin, stored
/// sealed (not in the database file in clear), never printed; clear refusals for bad input.</summary>
public class PowerConfigEndToEndTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    private const string Secret = "e2e-Bmc-s3cret";

    [Fact]
    public async Task PowerConfig_IpmiWithPasswordStdin_ShownWithoutPassword()
    {
        var admin = server.AdminOrSkip();
        var hosts = CliProcess.Parse<List<HostDto>>(await admin.RunAsync("host", "list", "--json"));
        var host = hosts[^1].Name;

        var set = await admin.RunWithInputAsync(Secret + "\n", "host", "power-config", host, "--method", "ipmi", "--address", "10.0.0.5",
            "--port", "623", "--user", "admin", "--password-stdin", "--mac", "52:54:00:aa:bb:cc", "--fallback", "wol");
        set.Exit.Should().Be(ExitCodes.Ok, set.Err);
        set.Out.Should().Contain("ipmi at 10.0.0.5:623 as admin (password stored), MAC 52:54:00:aa:bb:cc, then wol").And.NotContain(Secret);

        var shown = await admin.RunAsync("host", "show", host);
        shown.Out.Should().Contain("Power control").And.Contain("ipmi at 10.0.0.5:623").And.NotContain(Secret);
        var json = await admin.RunAsync("host", "show", host, "--json");
        CliProcess.Parse<HostDto>(json).PowerConfig!.HasPassword.Should().BeTrue();
        json.Out.Should().NotContain(Secret);

        foreach (var file in Directory.EnumerateFiles(server.DataDirectory, "octopus.db*"))
        {
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var copy = new MemoryStream();
            await stream.CopyToAsync(copy);
            Encoding.UTF8.GetString(copy.ToArray()).Should().NotContain(Secret, $"{Path.GetFileName(file)} holds only the sealed password");
        }
    }

    [Fact]
    public async Task PowerConfig_IpmiWithoutPassword_RefusedSayingWhatToGive()
    {
        var admin = server.AdminOrSkip();
        var hosts = CliProcess.Parse<List<HostDto>>(await admin.RunAsync("host", "list", "--json"));
        var run = await admin.RunAsync("host", "power-config", hosts[0].Name, "--method", "ipmi", "--address", "10.0.0.9", "--user", "admin");
        run.Exit.Should().NotBe(ExitCodes.Ok);
        run.Err.Should().Contain("needs the BMC password").And.Contain("--password-stdin");

        var badMethod = await admin.RunAsync("host", "power-config", hosts[0].Name, "--method", "telepathy");
        badMethod.Exit.Should().Be(ExitCodes.Usage);
        badMethod.Err.Should().Contain("telepathy");
    }

    [Fact]
    public async Task PowerConfig_RedfishWithCaFileOrPinnedFingerprint_ShowsHowTheBmcIsTrusted()
    {
        var admin = server.AdminOrSkip();
        var hosts = CliProcess.Parse<List<HostDto>>(await admin.RunAsync("host", "list", "--json"));
        hosts.Count.Should().BeGreaterThan(2, "each test here configures a host of its own");
        var host = hosts[1].Name;
        using var key = System.Security.Cryptography.ECDsa.Create();
        var request = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=Octopus Test BMC CA", key,
            System.Security.Cryptography.HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new System.Security.Cryptography.X509Certificates.X509BasicConstraintsExtension(true, false, 0, true));
        using var ca = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        var pemFile = Path.Combine(Path.GetTempPath(), $"octopus-bmc-ca-{Guid.NewGuid():N}.pem");
        await File.WriteAllTextAsync(pemFile, ca.ExportCertificatePem(), TestContext.Current.CancellationToken);
        try
        {
            var withCa = await admin.RunWithInputAsync(Secret + "\n", "host", "power-config", host, "--method", "redfish", "--address", "bmc7.example",
                "--user", "root", "--password-stdin", "--ca-file", pemFile);
            withCa.Exit.Should().Be(ExitCodes.Ok, withCa.Err);
            withCa.Out.Should().Contain("certificate checked against CA CN=Octopus Test BMC CA");

            var pin = new string('a', 64);
            var pinned = await admin.RunAsync("host", "power-config", host, "--method", "redfish", "--address", "bmc7.example", "--user", "root",
                "--tls-fingerprint", pin);
            pinned.Exit.Should().Be(ExitCodes.Ok, pinned.Err);
            pinned.Out.Should().Contain("certificate pinned to AA:AA:").And.NotContain("checked against CA");

            var missing = await admin.RunAsync("host", "power-config", host, "--method", "redfish", "--address", "bmc7.example", "--user", "root",
                "--ca-file", pemFile + ".missing");
            missing.Exit.Should().NotBe(ExitCodes.Ok);
            missing.Err.Should().Contain("does not exist");

            var badPin = await admin.RunAsync("host", "power-config", host, "--method", "redfish", "--address", "bmc7.example", "--user", "root",
                "--tls-fingerprint", "12:34");
            badPin.Exit.Should().NotBe(ExitCodes.Ok);
            badPin.Err.Should().Contain("is not a SHA-256 fingerprint");
        }
        finally
        {
            File.Delete(pemFile);
        }
    }

    [Fact]
    public async Task Readme_HostPowerBlock_EveryLineSucceeds()
    {
        var admin = server.AdminOrSkip();
        var lines = ReadmeTourTests.BlockLines(await File.ReadAllTextAsync(Path.Combine(ReadmeTourTests.RepoRoot(), "README.md")), "### Host power on real nodes");
        lines.Should().HaveCountGreaterThanOrEqualTo(4);
        foreach (var line in lines)
        {
            string? stdin = null;
            var text = line;
            var pipe = text.IndexOf("| ./octopus", StringComparison.Ordinal);
            if (pipe >= 0)
            {
                stdin = text[..pipe].Trim()["echo ".Length..] + "\n";
                text = text[(pipe + 1)..].Trim();
            }
            var run = await admin.RunWithInputAsync(stdin, [.. text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1)]);
            run.Exit.Should().Be(ExitCodes.Ok, $"README line `{line}` failed:\n{run.Out}\n{run.Err}");
            run.Out.Should().NotContain("bmc-password");
        }
        var shown = await admin.RunAsync("host", "show", "sim-05", "--json");
        var config = CliProcess.Parse<HostDto>(shown).PowerConfig!;
        config.Method.Should().Be("redfish");
        config.TlsFingerprint.Should().StartWith("3F:1A:9C");
        (await admin.RunAsync("host", "show", "sim-04")).Out.Should().Contain("ipmi at 10.0.0.14").And.Contain("then wol");
    }
}
