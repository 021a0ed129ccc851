using System.Diagnostics;
using System.Globalization;
using System.Text;
using Octopus.Cli.Infrastructure;
using Octopus.Contracts;
using Octopus.TestKit;

namespace Octopus.Cli.Tests.EndToEnd;

/// <summary>Directory login through the CLI: a real OpenLDAP <c>slapd</c> (<see cref="Slapd"/>, own config on a free
/// loopback port, stopped by PID) and a real <c>octopus serve</c> process configured with the <c>ldap</c> provider.
/// A directory user logs in with <c>octopus login</c> and works as themself; with the directory down, <c>octopus
/// login</c> prints the server's 503 (what to check, no stack trace) and the local admin still logs in and works.</summary>
public class LdapLoginEndToEndTests
{
    private const string AdminPassword = "ldap-e2e-admin-Passw0rd";

    [Fact]
    public async Task DirectoryUser_LogsInWithTheCli_AndWorks_DirectoryDown_Clear503_LocalAdminStillWorks()
    {
        await using var slapd = await Slapd.StartAsync();
        await using var server = await LdapServe.StartAsync(slapd);
        var dir = Directory.CreateTempSubdirectory("octopus-ldap-cli-").FullName;
        try
        {
            var bob = new CliProcess(Path.Combine(dir, "bob.json"));
            var login = await bob.RunWithInputAsync("bob-directory-pw\n", "login", "--url", server.Url, "--user", "bob", "--password-stdin");
            login.Exit.Should().Be(ExitCodes.Ok, $"{login.Out}\n{login.Err}\n{server.Log}");
            login.Out.Should().Contain("as bob (user)");

            var me = CliProcess.Parse<MeDto>(await bob.RunAsync("whoami", "--json"));
            me.Username.Should().Be("bob");
            me.Provider.Should().Be("ldap");
            (await bob.RunAsync("whoami")).Out.Should().Contain("ldap (password kept by the directory)");
            me.Quota.MaxVms.Should().Be(2, "the octopus-users group's quota applies to a user created at first login");
            var vm = CliProcess.Parse<VmDto>(await bob.RunAsync("vm", "create", "--name", "bob-ldap", "--cores", "1", "--memory", "1GiB", "--disk", "10GiB",
                "--image", "debian-12", "--json"));
            vm.Owner.Should().Be("bob");
            var wrong = await new CliProcess(Path.Combine(dir, "wrong.json")).RunWithInputAsync("not-bobs-password\n", "login", "--url", server.Url, "--user", "bob", "--password-stdin");
            wrong.Exit.Should().Be(ExitCodes.Rejected);

            await slapd.StopAsync();
            var down = await new CliProcess(Path.Combine(dir, "bob-down.json")).RunWithInputAsync("bob-directory-pw\n", "login", "--url", server.Url, "--user", "bob", "--password-stdin");
            down.Exit.Should().NotBe(ExitCodes.Ok);
            down.Err.Should().Contain("down or unreachable").And.Contain("break-glass").And.NotContain("   at ").And.NotContain(slapd.Url);
            down.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries).Should().HaveCountLessThan(5, $"one clear error, not a dump:\n{down.Err}");

            var admin = new CliProcess(Path.Combine(dir, "admin.json"));
            var adminLogin = await admin.RunWithInputAsync(AdminPassword + "\n", "login", "--url", server.Url, "--user", "admin", "--password-stdin");
            adminLogin.Exit.Should().Be(ExitCodes.Ok, adminLogin.Err);
            var users = CliProcess.Parse<List<UserDto>>(await admin.RunAsync("user", "list", "--json"));
            users.Should().Contain(u => u.Username == "bob" && u.Provider == "ldap");
            (await bob.RunAsync("vm", "list")).Out.Should().Contain("bob-ldap", "a token issued before the outage keeps working");
            (await admin.RunAsync("vm", "delete", "bob-ldap", "--yes")).Exit.Should().Be(ExitCodes.Ok);
        }
        finally
        {
            try { Directory.Delete(dir, true); } catch (IOException) { }
        }
    }

    /// <summary><c>octopus serve --config FILE</c> with the ldap provider pointed at <paramref name="slapd"/>.</summary>
    private sealed class LdapServe : IAsyncDisposable
    {
        private readonly StringBuilder _log = new();
        private Process _process = null!;
        private string _dir = "";

        public string Url { get; private set; } = "";
        public string Log { get { lock (_log) return _log.ToString(); } }

        public static async Task<LdapServe> StartAsync(Slapd slapd)
        {
            var s = new LdapServe { _dir = Directory.CreateTempSubdirectory("octopus-ldap-serve-").FullName };
            var port = TestProcesses.FreeLoopbackPort();
            s.Url = $"http://127.0.0.1:{port}";
            var config = Path.Combine(s._dir, "octopus.json");
            await File.WriteAllTextAsync(config, $$"""
                { "Octopus": { "Identity": { "Provider": "ldap", "Ldap": {
                    "Url": "{{slapd.Url}}", "BindDn": "{{Slapd.ServiceDn}}", "BindPassword": "{{Slapd.ServicePassword}}",
                    "SearchBase": "{{Slapd.People}}", "UserFilter": "(uid={0})", "GroupSearchBase": "{{Slapd.GroupsBase}}", "Timeout": "00:00:02",
                    "Groups": [ { "Dn": "{{Slapd.AdminsGroup}}", "Role": "admin" },
                                { "Dn": "{{Slapd.UsersGroup}}", "Role": "user", "Quota": { "MaxCores": 4, "MaxVms": 2 } } ] } } } }
                """);
            var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var a in new[] { CliProcess.DllPath, "serve", "--config", config, "--port", port.ToString(CultureInfo.InvariantCulture), "--data", Path.Combine(s._dir, "data") })
                start.ArgumentList.Add(a);
            start.Environment["OCTOPUS_ADMIN_PASSWORD"] = AdminPassword;
            start.Environment["OCTOPUS_CONFIG"] = Path.Combine(s._dir, "cli.json");
            start.Environment["Octopus__Simulation__OperationDelay"] = "00:00:00.200";
            s._process = Process.Start(start)!;
            s._process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (s._log) s._log.AppendLine(e.Data); };
            s._process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (s._log) s._log.AppendLine(e.Data); };
            s._process.BeginOutputReadLine();
            s._process.BeginErrorReadLine();
            await TestProcesses.WaitForHealthAsync(s._process, s.Url, () => s.Log);
            return s;
        }

        public async ValueTask DisposeAsync()
        {
            await TestProcesses.StopAsync(_process);
            try { Directory.Delete(_dir, true); } catch (IOException) { }
        }
    }
}
