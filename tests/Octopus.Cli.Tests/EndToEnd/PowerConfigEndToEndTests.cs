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
}
