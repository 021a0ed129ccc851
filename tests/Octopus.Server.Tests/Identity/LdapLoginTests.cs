using System.Net;
using System.Net.Http.Json;
using Octopus.Contracts;
using Octopus.Server.Identity;
using Octopus.Application.Identity;
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
        me.Provider.Should().Be("ldap", "the account comes from the directory");
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

    [Fact]
    public async Task RemovedFromTheAdminGroup_LosesAdminAtNextLogin_QuotaAnAdminSetIsKept()
    {
        await using var slapd = await Slapd.StartAsync();
        await using var server = await TestServerApp.StartAsync(Config(slapd));
        var alice = await server.LoginAsync("alice", "alice-directory-pw");
        (await alice.GetAsync(ApiRoutes.Users)).StatusCode.Should().Be(HttpStatusCode.OK);
        var admin = await server.LoginAsync();
        (await admin.PutAsJsonAsync(ApiRoutes.UserQuota("alice"), new QuotaDto(MaxCores: 6))).EnsureSuccessStatusCode();

        await slapd.ModifyAsync($"""
            dn: {Slapd.AdminsGroup}
            changetype: modify
            delete: member
            member: {Slapd.UserDn("alice")}

            """);
        var again = await server.LoginAsync("alice", "alice-directory-pw");
        var me = await (await again.GetAsync(ApiRoutes.Me)).ReadAsync<MeDto>();
        me.Role.Should().Be("user");
        me.Quota.MaxCores.Should().Be(6); // group quotas are first-login defaults; the admin's change stays
        (await again.GetAsync(ApiRoutes.Users)).StatusCode.Should().Be(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task GroupsFromMemberOfOnly_AsActiveDirectoryGivesThem_MapTheSame()
    {
        await using var slapd = await Slapd.StartAsync();
        // No group search: only the memberOf values the overlay keeps on each user entry.
        await using var server = await TestServerApp.StartAsync(Config(slapd, ", \"GroupFilter\": \"\", \"GroupAttribute\": \"memberOf\""));
        var alice = await server.LoginAsync("alice", "alice-directory-pw");
        (await (await alice.GetAsync(ApiRoutes.Me)).ReadAsync<MeDto>()).Role.Should().Be("admin");
        var bob = await server.LoginAsync("bob", "bob-directory-pw");
        (await (await bob.GetAsync(ApiRoutes.Me)).ReadAsync<MeDto>()).Quota.MaxVms.Should().Be(2);
    }

    [Fact]
    public async Task InNoMappedGroup_RightPassword_403NoGroup_Audited_NoUserMade()
    {
        await using var slapd = await Slapd.StartAsync();
        await using var server = await TestServerApp.StartAsync(Config(slapd));
        var r = await TryLogin(server, "carol", "carol-directory-pw");
        r.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        var problem = await r.ProblemAsync();
        problem.GetProperty("code").GetString().Should().Be("auth.no-group");
        problem.GetProperty("detail").GetString().Should().Contain("ask an administrator");

        var admin = await server.LoginAsync();
        (await (await admin.GetAsync(ApiRoutes.Users)).ReadAsync<Page<UserDto>>()).Items.Should().NotContain(u => u.Username == "carol");
        var audit = await (await admin.GetAsync(ApiRoutes.Audit)).Content.ReadAsStringAsync();
        audit.Should().Contain("none of the directory groups");
    }

    [Fact]
    public async Task DisabledInOctopus_RightDirectoryPassword_403Disabled()
    {
        await using var slapd = await Slapd.StartAsync();
        await using var server = await TestServerApp.StartAsync(Config(slapd));
        var bob = await server.LoginAsync("bob", "bob-directory-pw");
        var admin = await server.LoginAsync();
        (await admin.PostAsync(ApiRoutes.UserDisable("bob"), null)).EnsureSuccessStatusCode();

        (await bob.GetAsync(ApiRoutes.Me)).StatusCode.Should().Be(HttpStatusCode.Unauthorized); // his token stopped at once
        var r = await TryLogin(server, "bob", "bob-directory-pw");
        r.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await r.ProblemAsync()).GetProperty("code").GetString().Should().Be("auth.disabled");

        (await admin.PostAsync(ApiRoutes.UserEnable("bob"), null)).EnsureSuccessStatusCode();
        (await TryLogin(server, "bob", "bob-directory-pw")).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task WrongPasswords_LockTheName_BeforeTheDirectoryIsAsked()
    {
        await using var slapd = await Slapd.StartAsync();
        await using var server = await TestServerApp.StartAsync(Config(slapd).Replace(
            "\"DefaultQuota\"", "\"Login\": { \"MaxFailures\": 3, \"LockoutBase\": \"00:05:00\" }, \"DefaultQuota\"", StringComparison.Ordinal));
        for (var i = 0; i < 3; i++) (await TryLogin(server, "bob", "wrong-" + i)).StatusCode.Should().Be(HttpStatusCode.Unauthorized);

        // Locked: the right password is refused too, and the directory is not even asked (it is down, yet 429, not 503).
        await slapd.StopAsync();
        var locked = await TryLogin(server, "bob", "bob-directory-pw");
        locked.StatusCode.Should().Be((HttpStatusCode)429);
        (await locked.ProblemAsync()).GetProperty("code").GetString().Should().Be("auth.locked");
    }

    [Fact]
    public async Task FirstLogin_ManyAtOnce_AllSucceed_OneUser()
    {
        await using var slapd = await Slapd.StartAsync();
        await using var server = await TestServerApp.StartAsync(Config(slapd));
        var answers = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => TryLogin(server, "bob", "bob-directory-pw")));
        answers.Select(a => a.StatusCode).Should().AllBeEquivalentTo(HttpStatusCode.OK);
        var admin = await server.LoginAsync();
        (await (await admin.GetAsync(ApiRoutes.Users)).ReadAsync<Page<UserDto>>()).Items.Count(u => u.Username == "bob").Should().Be(1);
    }

    [Fact]
    public void EscapeFilter_SpecialCharacters_Rfc4515Escapes() =>
        LdapIdentityProvider.EscapeFilter(@"a*b(c)d\e" + "\0").Should().Be(@"a\2ab\28c\29d\5ce\00");

    [Fact]
    public async Task WebSessionLogin_DirectoryUser_GetsSessionWithDirectoryRole_DirectoryDown503()
    {
        await using var slapd = await Slapd.StartAsync();
        await using var server = await TestServerApp.StartAsync(Config(slapd));
        var web = server.Anonymous();
        var r = await web.PostAsJsonAsync(WebRoutes.Session, new TokenRequest("alice", "alice-directory-pw"));
        r.StatusCode.Should().Be(HttpStatusCode.OK);
        var session = await r.ReadAsync<SessionDto>();
        session.Username.Should().Be("alice");
        session.Role.Should().Be("admin");
        r.Headers.GetValues("Set-Cookie").Should().Contain(c => c.Contains("HttpOnly", StringComparison.OrdinalIgnoreCase));

        await slapd.StopAsync();
        var down = await web.PostAsJsonAsync(WebRoutes.Session, new TokenRequest("bob", "bob-directory-pw"));
        down.StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable);
        (await down.ProblemAsync()).GetProperty("code").GetString().Should().Be("auth.provider-unavailable");
    }
}
