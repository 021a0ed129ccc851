using System.Net;
using System.Net.Http.Json;
using Octopus.Contracts;
using Octopus.TestKit;

namespace Octopus.Server.Tests.Identity;

/// <summary>Login through a real OpenLDAP slapd (see <see cref="Slapd"/>), over HTTP: just-in-time users, group → role
/// and quota, wrong password, a user taken out of the admin group, a disabled user, the lockout in front of the
/// directory, and a directory that is down (503; the local admin still logs in).</summary>
public class LdapLoginTests
{
    internal static string Config(Slapd slapd, string extra = "") => TestServerApp.DefaultConfig($$"""
        , "Identity": { "Provider": "ldap", "Ldap": {
            "Url": "{{slapd.Url}}", "BindDn": "{{Slapd.ServiceDn}}", "BindPassword": "{{Slapd.ServicePassword}}",
            "SearchBase": "{{Slapd.People}}", "UserFilter": "(uid={0})", "GroupSearchBase": "{{Slapd.GroupsBase}}",
            "Timeout": "00:00:02"{{extra}},
            "Groups": [ { "Dn": "{{Slapd.AdminsGroup}}", "Role": "admin" },
                        { "Dn": "{{Slapd.UsersGroup}}", "Role": "user", "Quota": { "MaxCores": 4, "MaxVms": 2 } } ] } }
        """);

    internal static Task<HttpResponseMessage> TryLogin(TestServerApp server, string user, string password) =>
        server.Anonymous().PostAsJsonAsync(ApiRoutes.Token, new TokenRequest(user, password));

    [Fact]
    public async Task Login_FirstTime_UserCreatedJustInTime_WithGroupRoleAndQuota()
    {
        await using var slapd = await Slapd.StartAsync();
        await using var server = await TestServerApp.StartAsync(Config(slapd));

        var bob = await server.LoginAsync("bob", "bob-directory-pw");
        var me = await (await bob.GetAsync(ApiRoutes.Me)).ReadAsync<MeDto>();
        me.Role.Should().Be("user");
        me.Quota.MaxCores.Should().Be(4); // from the octopus-users group, not the server default (8)
        me.Quota.MaxVms.Should().Be(2);

        var alice = await server.LoginAsync("alice", "alice-directory-pw");
        var aliceMe = await (await alice.GetAsync(ApiRoutes.Me)).ReadAsync<MeDto>();
        aliceMe.Role.Should().Be("admin"); // octopus-admins → admin
        aliceMe.Quota.MaxCores.Should().Be(4); // the first mapped group with a quota (octopus-users)
        var users = await (await alice.GetAsync(ApiRoutes.Users)).ReadAsync<Page<UserDto>>();
        users.Items.Single(u => u.Username == "bob").Provider.Should().Be("ldap");
        users.Items.Single(u => u.Username == "admin").Provider.Should().Be("local");

        // A second login finds the same user.
        await server.LoginAsync("bob", "bob-directory-pw");
        (await (await alice.GetAsync(ApiRoutes.Users)).ReadAsync<Page<UserDto>>()).Items.Count(u => u.Username == "bob").Should().Be(1);

        // A directory user's password lives in the directory.
        var change = await bob.PutAsJsonAsync(ApiRoutes.MyPassword, new PasswordChangeRequest("bob-directory-pw", "something-new-1"));
        change.StatusCode.Should().Be(HttpStatusCode.Conflict);
        (await change.ProblemAsync()).GetProperty("code").GetString().Should().Be("user.external-password");
    }

    [Theory]
    [InlineData("bob", "not-bobs-password")]
    [InlineData("nobody", "whatever-pw")]        // not in the directory
    [InlineData("bob*", "bob-directory-pw")]     // not a user name: never reaches the filter
    [InlineData("b*", "bob-directory-pw")]
    public async Task Login_WrongPasswordOrUnknownName_401(string user, string password)
    {
        await using var slapd = await Slapd.StartAsync();
        await using var server = await TestServerApp.StartAsync(Config(slapd));
        var r = await TryLogin(server, user, password);
        r.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        (await r.ProblemAsync()).GetProperty("code").GetString().Should().Be("auth.bad-credentials");
    }
}
