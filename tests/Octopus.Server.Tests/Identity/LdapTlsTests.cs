using System.Net;
using Octopus.Contracts;
using Octopus.TestKit;

namespace Octopus.Server.Tests.Identity;

/// <summary>Directory login over TLS against a slapd that refuses simple binds without it: ldaps:// trusting the test's
/// own CA (CaCertificatesDirectory), StartTLS on ldap:// trusting it, and the clear 503s when TLS is missing or not
/// trusted. On Linux StartTLS needs the connection opened first (an anonymous bind; dotnet/runtime#96988): the slapd
/// here refuses simple binds without TLS, so a login proves the credentials went over TLS.</summary>
public class LdapTlsTests
{
    private static string Config(Slapd slapd, string url, string tls) => LdapLoginTests.Config(slapd, tls)
        .Replace($"\"Url\": \"{slapd.Url}\"", $"\"Url\": \"{url}\"", StringComparison.Ordinal);

    private static async Task LoginAsBob(string config)
    {
        await using var server = await TestServerApp.StartAsync(config);
        var bob = await server.LoginAsync("bob", "bob-directory-pw");
        (await (await bob.GetAsync(ApiRoutes.Me)).ReadAsync<MeDto>()).Username.Should().Be("bob");
    }

    [Fact]
    public async Task Ldaps_WithTheCa_LogsIn()
    {
        await using var slapd = await Slapd.StartAsync(tls: true);
        await LoginAsBob(Config(slapd, slapd.LdapsUrl, $", \"CaCertificatesDirectory\": \"{slapd.CaDirectory}\""));
    }

    [Fact]
    public async Task StartTls_WithTheCa_LogsIn()
    {
        await using var slapd = await Slapd.StartAsync(tls: true);
        await LoginAsBob(Config(slapd, slapd.Url, $", \"StartTls\": true, \"CaCertificatesDirectory\": \"{slapd.CaDirectory}\""));
    }

    [Theory]
    [InlineData("plain", "requires TLS")]          // the directory refuses the bind without TLS
    [InlineData("ldaps-untrusted", "TLS certificate")] // the system CAs do not know the test's CA
    [InlineData("starttls-untrusted", "TLS certificate is not trusted")]
    public async Task TlsMissingOrNotTrusted_Clear503(string how, string says)
    {
        await using var slapd = await Slapd.StartAsync(tls: true);
        var config = how switch
        {
            "plain" => Config(slapd, slapd.Url, ""),
            "ldaps-untrusted" => Config(slapd, slapd.LdapsUrl, ""),
            _ => Config(slapd, slapd.Url, ", \"StartTls\": true"),
        };
        await using var server = await TestServerApp.StartAsync(config);
        var r = await LdapLoginTests.TryLogin(server, "bob", "bob-directory-pw");
        r.StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable);
        var problem = await r.ProblemAsync();
        problem.GetProperty("code").GetString().Should().Be("auth.provider-unavailable");
        problem.GetProperty("detail").GetString().Should().Contain(says);
    }
}
