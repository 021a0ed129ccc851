using System.Text.Json.Nodes;
using Octopus.Contracts;
using Octopus.TestKit;

namespace Octopus.Server.Tests.Identity;

/// <summary>The README's "Directory login" configuration, as written, against a real slapd: only the server's address,
/// the suffix and the password file's path are swapped for the test's.</summary>
public class LdapReadmeTests
{
    [Fact]
    public async Task Readme_DirectoryLoginExample_LogsInWithGroupRoleAndQuota()
    {
        var readme = await File.ReadAllTextAsync(Path.Combine(TestProcesses.RepositoryRoot(), "README.md"));
        var section = readme[readme.IndexOf("## Directory login (LDAP / Active Directory)", StringComparison.Ordinal)..];
        var start = section.IndexOf("```json\n", StringComparison.Ordinal) + "```json\n".Length;
        var example = section[start..section.IndexOf("```", start, StringComparison.Ordinal)];

        await using var slapd = await Slapd.StartAsync();
        var passwordFile = Path.Combine(Path.GetTempPath(), $"octopus-ldap-pw-{Guid.NewGuid():N}");
        await File.WriteAllTextAsync(passwordFile, Slapd.ServicePassword + "\n");
        try
        {
            example = example.Replace("ldap://ldap.example.org", slapd.Url, StringComparison.Ordinal)
                .Replace("dc=example,dc=org", Slapd.Base, StringComparison.Ordinal)
                .Replace("/etc/octopus/ldap-password", passwordFile, StringComparison.Ordinal);
            var config = JsonNode.Parse(TestServerApp.DefaultConfig())!;
            config["Octopus"]!["Identity"] = JsonNode.Parse(example)!["Octopus"]!["Identity"]!.DeepClone();
            await using var server = await TestServerApp.StartAsync(config.ToJsonString());

            var bob = await server.LoginAsync("bob", "bob-directory-pw");
            var me = await (await bob.GetAsync(ApiRoutes.Me)).ReadAsync<MeDto>();
            me.Role.Should().Be("user");
            me.Quota.Should().Be(new QuotaDto(MaxCores: 4, MaxMemoryBytes: 8L << 30, MaxVms: 2));
            var alice = await server.LoginAsync("alice", "alice-directory-pw");
            (await (await alice.GetAsync(ApiRoutes.Me)).ReadAsync<MeDto>()).Role.Should().Be("admin");
        }
        finally
        {
            File.Delete(passwordFile);
        }
    }
}
