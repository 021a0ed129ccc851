using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Octopus.TestKit;

namespace Octopus.Server.Tests.Identity;

/// <summary>What a login answers when the directory cannot be asked: down, silent, or misconfigured. Always a 503
/// <c>auth.provider-unavailable</c> that says what to check (never a 500, never the directory's address), the local
/// break-glass admin still logs in, and the failed attempt does not count towards a lockout.</summary>
public class LdapDirectoryFailureTests
{
    private static async Task<string> Expect503(TestServerApp server, string user = "bob", string password = "bob-directory-pw")
    {
        var r = await LdapLoginTests.TryLogin(server, user, password);
        r.StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable);
        var problem = await r.ProblemAsync();
        problem.GetProperty("code").GetString().Should().Be("auth.provider-unavailable");
        var detail = problem.GetProperty("detail").GetString()!;
        detail.Should().Contain("break-glass").And.NotContain("127.0.0.1").And.NotContain("   at ");
        return detail;
    }

    [Fact]
    public async Task DirectoryDown_Clear503_LocalAdminStillLogsIn_BackUpWorksAgain()
    {
        await using var slapd = await Slapd.StartAsync();
        await using var server = await TestServerApp.StartAsync(LdapLoginTests.Config(slapd).Replace(
            "\"DefaultQuota\"", "\"Login\": { \"MaxFailures\": 2 }, \"DefaultQuota\"", StringComparison.Ordinal));
        await slapd.StopAsync();

        for (var i = 0; i < 3; i++) // more than MaxFailures: a directory outage locks nobody out
            (await Expect503(server)).Should().Contain("down or unreachable");
        (await LdapLoginTests.TryLogin(server, "admin", TestServerApp.AdminPassword)).StatusCode.Should().Be(HttpStatusCode.OK);

        await slapd.LaunchAsync();
        (await LdapLoginTests.TryLogin(server, "bob", "bob-directory-pw")).StatusCode.Should().Be(HttpStatusCode.OK);
        var audit = await (await (await server.LoginAsync()).GetAsync(Contracts.ApiRoutes.Audit)).Content.ReadAsStringAsync();
        audit.Should().Contain("ldap: The directory could not be asked");
    }

    [Fact]
    public async Task DirectoryAcceptsButNeverAnswers_503WithinTheTimeout()
    {
        // A fake peer: it accepts TCP connections and never says anything, as a hung directory server would.
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start(100);
        var port = ((IPEndPoint)silent.LocalEndpoint).Port;
        await using var server = await TestServerApp.StartAsync(TestServerApp.DefaultConfig($$"""
            , "Identity": { "Provider": "ldap", "Ldap": { "Url": "ldap://127.0.0.1:{{port}}", "SearchBase": "ou=people,dc=x",
                                                          "Timeout": "00:00:01" } }
            """));
        var clock = Stopwatch.StartNew();
        (await Expect503(server)).Should().Contain("did not answer within 00:00:01");
        clock.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(15)); // a few 1 s calls, not the TCP stack's minutes
    }

    [Fact]
    public async Task WrongServicePassword_503NamesTheServiceAccount()
    {
        await using var slapd = await Slapd.StartAsync();
        await using var server = await TestServerApp.StartAsync(LdapLoginTests.Config(slapd).Replace(Slapd.ServicePassword, "not-the-secret", StringComparison.Ordinal));
        (await Expect503(server)).Should().Contain("service account").And.Contain("BindDn");
    }

    [Fact]
    public async Task SearchBaseMissing_503NamesTheKey()
    {
        await using var slapd = await Slapd.StartAsync();
        await using var server = await TestServerApp.StartAsync(LdapLoginTests.Config(slapd).Replace(
            $"\"SearchBase\": \"{Slapd.People}\"", $"\"SearchBase\": \"ou=nobody,{Slapd.Base}\"", StringComparison.Ordinal));
        (await Expect503(server)).Should().Contain("Octopus:Identity:Ldap:SearchBase");
    }
}
