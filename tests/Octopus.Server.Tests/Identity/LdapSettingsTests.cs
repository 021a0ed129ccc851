using Microsoft.Extensions.Configuration;
using Octopus.Domain.Users;
using Octopus.Application.Configuration;
using Octopus.Server.Identity;
using Octopus.Application.Identity;
using Octopus.TestKit;

namespace Octopus.Server.Tests.Identity;

public class LdapSettingsTests
{
    /// <summary>A valid minimal section (Url, SearchBase) with <paramref name="values"/> added or replacing keys.</summary>
    private static IConfiguration Config(params (string Key, string? Value)[] values)
    {
        var keys = new Dictionary<string, string?> { ["Url"] = "ldap://dc1.example.org", ["SearchBase"] = "ou=people,dc=example,dc=org" };
        foreach (var (key, value) in values) keys[key] = value;
        return new ConfigurationBuilder().AddInMemoryCollection(keys.Select(p => KeyValuePair.Create($"Octopus:Identity:Ldap:{p.Key}", p.Value))).Build();
    }

    [Fact]
    public void From_Minimal_DefaultsForOpenLdap()
    {
        var s = LdapSettings.From(Config());
        s.Url.Should().Be("ldap://dc1.example.org:389");
        s.UserFilter.Should().Be("(uid={0})");
        s.GroupFilter.Should().Be("(member={0})");
        s.GroupAttribute.Should().Be("memberOf");
        s.GroupSearchBase.Should().Be("ou=people,dc=example,dc=org");
        s.Timeout.Should().Be(TimeSpan.FromSeconds(5));
        s.Groups.Should().BeEmpty();
    }

    [Fact]
    public void From_ActiveDirectoryStyle_LdapsPortFiltersGroupsAndPasswordFile()
    {
        var s = LdapSettings.From(Config(("Url", "ldaps://dc1.example.org"), ("UserFilter", "(&(objectClass=user)(sAMAccountName={0}))"),
            ("BindDn", "CN=octopus,OU=Service,DC=example,DC=org"), ("BindPasswordFile", "/run/secrets/ldap"), ("GroupFilter", ""),
            ("Groups:0:Dn", "CN=Octopus Admins,OU=Groups,DC=example,DC=org"), ("Groups:0:Role", "Admin"),
            ("Groups:1:Dn", "CN=Students,OU=Groups,DC=example,DC=org"), ("Groups:1:Quota:MaxCores", "2"), ("Groups:1:Quota:MaxMemory", "4GiB")),
            readFile: path => path == "/run/secrets/ldap" ? "s3cret\n" : throw new FileNotFoundException(path));
        s.Url.Should().Be("ldaps://dc1.example.org:636");
        s.BindPassword.Should().Be("s3cret");
        s.GroupFilter.Should().BeNull();
        s.Groups.Select(g => g.Role).Should().Equal(UserRole.Admin, UserRole.User);
        s.Groups[1].Quota!.MaxCores.Should().Be(2);
        s.Groups[1].Quota!.MaxMemory!.Value.Bytes.Should().Be(4L << 30);
    }

    [Theory]
    [InlineData("Url", "http://dc1.example.org", "Url")]
    [InlineData("Url", "dc1.example.org", "Url")]
    [InlineData("Url", "ldap://dc1.example.org/dc=example", "Url")]
    [InlineData("StartTls", "yes", "StartTls")]                  // not a boolean: the binder names the key
    [InlineData("SearchBase", " ", "SearchBase")]
    [InlineData("UserFilter", "uid={0}", "UserFilter")]          // no parentheses
    [InlineData("UserFilter", "(uid=alice)", "UserFilter")]      // no {0}
    [InlineData("UserFilter", "(|(uid={0})(mail={0}))", "UserFilter")] // {0} twice
    [InlineData("UserFilter", "(&(uid={0})", "UserFilter")]      // unbalanced
    [InlineData("GroupFilter", "(member=x)", "GroupFilter")]
    [InlineData("BindDn", "cn=octopus,dc=example,dc=org", "BindPassword")] // no password
    [InlineData("BindPassword", "secret", "BindDn")]                      // password for nobody
    [InlineData("Timeout", "00:00:00.01", "Timeout")]
    [InlineData("Timeout", "00:05:00", "Timeout")]
    [InlineData("CaCertificatesDirectory", "/no/such/folder", "CaCertificatesDirectory")]
    [InlineData("Groups:0:Role", "admin", "Groups:0:Dn")]
    public void From_BadValue_ConfigurationErrorNamingTheKey(string key, string value, string named)
    {
        var act = () => LdapSettings.From(Config((key, value)));
        act.Should().Throw<ConfigurationException>().Which.Key.Should().Be($"Octopus:Identity:Ldap:{named}".Replace("Ldap:Ldap", "Ldap", StringComparison.Ordinal));
    }

    [Fact]
    public void From_BadGroupRoleOrQuota_OrTwiceMapped_ConfigurationError()
    {
        KeyOf(("Groups:0:Dn", "cn=a,dc=x"), ("Groups:0:Role", "root")).Should().Be("Octopus:Identity:Ldap:Groups:0:Role");
        KeyOf(("Groups:0:Dn", "cn=a,dc=x"), ("Groups:0:Quota:MaxMemory", "lots")).Should().Be("Octopus:Identity:Ldap:Groups:0:Quota");
        KeyOf(("Groups:0:Dn", "cn=a,dc=x"), ("Groups:1:Dn", "CN=A, DC=X")).Should().Be("Octopus:Identity:Ldap:Groups");
        KeyOf(("Url", "ldaps://dc1"), ("StartTls", "true")).Should().Be("Octopus:Identity:Ldap:StartTls");
        KeyOf(("CaCertificatesDirectory", Path.GetTempPath())).Should().Be("Octopus:Identity:Ldap:CaCertificatesDirectory"); // without TLS
        KeyOf(("BindDn", "cn=s,dc=x"), ("BindPasswordFile", "/no/such/file")).Should().Be("Octopus:Identity:Ldap:BindPasswordFile");
    }

    private static string KeyOf(params (string, string?)[] values)
    {
        try
        {
            LdapSettings.From(Config(values));
        }
        catch (ConfigurationException e)
        {
            return e.Key;
        }
        throw new InvalidOperationException("no configuration error");
    }

    [Theory]
    [InlineData("cn=Octopus Admins, ou=Groups ,dc=example, dc=org", "cn=octopus admins,ou=groups,dc=example,dc=org")]
    [InlineData("CN = A,DC=X", "cn=a,dc=x")]
    public void Normalize_CaseAndSpacesAroundSeparators(string dn, string expected) => LdapDn.Normalize(dn).Should().Be(expected);

    [Fact]
    public async Task Server_UnknownProviderOrLdapWithoutUrl_RefusesToStart_NamingTheKey()
    {
        var unknown = () => TestServerApp.StartAsync(TestServerApp.DefaultConfig(""", "Identity": { "Provider": "kerberos" }"""));
        (await unknown.Should().ThrowAsync<ConfigurationException>()).Which.Message.Should().Contain("Octopus:Identity:Provider").And.Contain("'ldap'");
        var noUrl = () => TestServerApp.StartAsync(TestServerApp.DefaultConfig(""", "Identity": { "Provider": "ldap" }"""));
        (await noUrl.Should().ThrowAsync<ConfigurationException>()).Which.Key.Should().Be("Octopus:Identity:Ldap:Url");
    }
}
