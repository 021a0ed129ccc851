using System.Text.Json;
using Octopus.Cli.Infrastructure;
using Octopus.Contracts;

namespace Octopus.Cli.Tests.EndToEnd;

/// <summary><c>octopus user passwd|disable|enable|delete|unlock</c> and <c>octopus token create|list|revoke</c> against
/// a real server process, including the README's "Accounts, passwords and tokens" block run as written.</summary>
public class IdentityEndToEndTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    private static T Parse<T>((int Exit, string Out, string Err) run) => CliProcess.Parse<T>(run);

    [Fact]
    public async Task Readme_AccountsBlock_EveryLineSucceeds()
    {
        var admin = server.AdminOrSkip();
        var lines = ReadmeTourTests.BlockLines(await File.ReadAllTextAsync(Path.Combine(RepoRoot(), "README.md")), "## Accounts, passwords and tokens");
        lines.Should().HaveCountGreaterThan(8);
        string? lastTokenId = null;
        foreach (var line in lines)
        {
            var text = line.Replace("change-me-now", ServerFixture.AdminPassword, StringComparison.Ordinal);
            string? stdin = null;
            var pipe = text.IndexOf("| ./octopus", StringComparison.Ordinal);
            if (pipe >= 0)
            {
                stdin = ShellWords(text[..pipe].Trim()) + "\n";
                text = text[(pipe + 1)..].Trim();
            }
            var args = text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1)
                .Select(a => a == "ID" ? lastTokenId ?? throw new InvalidOperationException("no token created before `revoke ID`") : a).ToArray();
            var run = await admin.RunWithInputAsync(stdin, args);
            run.Exit.Should().Be(ExitCodes.Ok, $"README line `{line}` failed:\n{run.Out}\n{run.Err}");
            if (args is ["token", "create", ..]) // "Token 3 'ci-deploy' (read write) valid until …"
                lastTokenId = System.Text.RegularExpressions.Regex.Match(run.Out, @"Token (\d+) '").Groups[1].Value;
        }
        // The admin's password really changed, and alice is gone.
        var login = await new CliProcess(server.NewConfigPath()).RunWithInputAsync("new-admin-Passw0rd\n", "login", "--url", server.Url, "--user", "admin", "--password-stdin");
        login.Exit.Should().Be(ExitCodes.Ok, login.Err);
        (await admin.RunAsync("user", "list", "--json")).Out.Should().NotContain("\"alice\"");
    }

    [Fact]
    public async Task Token_ReadScope_CannotWrite_RevokedStopsWorking_DeleteWithVmsRefused()
    {
        var admin = server.AdminOrSkip();
        (await admin.RunWithInputAsync("bob-Passw0rd-1\n", "user", "create", "bob", "--password-stdin")).Exit.Should().Be(ExitCodes.Ok);
        var bob = new CliProcess(server.NewConfigPath());
        (await bob.RunWithInputAsync("bob-Passw0rd-1\n", "login", "--url", server.Url, "--user", "bob", "--password-stdin")).Exit.Should().Be(ExitCodes.Ok);
        Parse<VmDto>(await bob.RunAsync("vm", "create", "--name", "bob-vm", "--cores", "1", "--memory", "1GiB", "--disk", "10GiB", "--image", "debian-12", "--json"));

        var reader = Parse<TokenCreatedDto>(await bob.RunAsync("token", "create", "reader", "--scope", "read", "--json"));
        reader.Scopes.Should().Equal("read");
        var listed = Parse<List<TokenDto>>(await bob.RunAsync("token", "list", "--json"));
        listed.Should().Contain(t => t.Id == reader.Id && t.Name == "reader");
        JsonSerializer.Serialize(listed).Should().NotContain(reader.Token);

        var withToken = new CliProcess(server.NewConfigPath());
        string[] auth = ["--url", server.Url, "--token", reader.Token];
        (await withToken.RunAsync(["vm", "list", "--json", .. auth])).Exit.Should().Be(ExitCodes.Ok);
        var refused = await withToken.RunAsync(["vm", "stop", "bob-vm", .. auth]);
        refused.Exit.Should().NotBe(ExitCodes.Ok);
        refused.Err.Should().Contain("'read' scope");

        (await bob.RunAsync("token", "revoke", reader.Id.ToString(System.Globalization.CultureInfo.InvariantCulture))).Exit.Should().Be(ExitCodes.Ok);
        (await withToken.RunAsync(["vm", "list", .. auth])).Exit.Should().NotBe(ExitCodes.Ok);

        var delete = await admin.RunAsync("user", "delete", "bob");
        delete.Exit.Should().Be(ExitCodes.Rejected);
        delete.Err.Should().Contain("bob-vm").And.Contain("--delete-vms");
        (await admin.RunAsync("user", "delete", "bob", "--delete-vms")).Exit.Should().Be(ExitCodes.Ok);
        (await bob.RunAsync("vm", "list")).Exit.Should().NotBe(ExitCodes.Ok); // bob's login is gone with him
    }

    /// <summary>`echo 'a'` → "a"; `printf '%s\n' 'a' 'b'` → "a\nb" (the two forms the README uses).</summary>
    private static string ShellWords(string command)
    {
        var words = command.Split('\'').Where((_, i) => i % 2 == 1).ToList();
        return command.StartsWith("printf", StringComparison.Ordinal) ? string.Join('\n', words.Skip(1)) : string.Join(' ', words);
    }

    private static string RepoRoot()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "Octopus.slnx"))) return d.FullName;
        throw new InvalidOperationException("cannot find the repository root");
    }
}
