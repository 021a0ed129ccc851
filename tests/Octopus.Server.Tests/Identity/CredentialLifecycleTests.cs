using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Octopus.Contracts;
using Octopus.TestKit;

namespace Octopus.Server.Tests.Identity;

/// <summary>Password change and reset, disable/enable, delete with the user's VMs, personal tokens with scopes — all
/// through HTTP.</summary>
public class CredentialLifecycleTests
{
    private static HttpClient WithToken(TestServerApp server, string token)
    {
        var http = server.Anonymous();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return http;
    }

    private static async Task<string> Code(HttpResponseMessage r) => (await r.ProblemAsync()).GetProperty("code").GetString()!;

    [Fact]
    public async Task ChangeOwnPassword_NeedsTheCurrentOne_EndsOtherLoginsButNotThisOne()
    {
        await using var server = await TestServerApp.StartAsync();
        var bob = await server.NewUserAsync("bob");
        var other = await server.LoginAsync("bob", "password-bob");

        var wrong = await bob.PutAsJsonAsync(ApiRoutes.MyPassword, new PasswordChangeRequest("not-it", "new-password-1"));
        wrong.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await wrong.ProblemAsync()).GetProperty("field").GetString().Should().Be("currentPassword");
        var tooShort = await bob.PutAsJsonAsync(ApiRoutes.MyPassword, new PasswordChangeRequest("password-bob", "short"));
        tooShort.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await tooShort.ProblemAsync()).GetProperty("field").GetString().Should().Be("newPassword", "the field the request carried it in");
        (await (await bob.GetAsync(ApiRoutes.Me)).ReadAsync<MeDto>()).Provider.Should().Be("local");

        (await bob.PutAsJsonAsync(ApiRoutes.MyPassword, new PasswordChangeRequest("password-bob", "new-password-1"))).StatusCode.Should().Be(HttpStatusCode.NoContent);
        (await bob.GetAsync(ApiRoutes.Me)).StatusCode.Should().Be(HttpStatusCode.OK);            // this login goes on
        (await other.GetAsync(ApiRoutes.Me)).StatusCode.Should().Be(HttpStatusCode.Unauthorized); // the other one ended
        (await server.Anonymous().PostAsJsonAsync(ApiRoutes.Token, new TokenRequest("bob", "password-bob"))).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        await server.LoginAsync("bob", "new-password-1");
    }

    [Fact]
    public async Task AdminReset_EndsTheUsersLogins_NewPasswordWorks_UsersMayNotReset()
    {
        await using var server = await TestServerApp.StartAsync();
        var bob = await server.NewUserAsync("bob");
        var admin = await server.LoginAsync();
        (await bob.PutAsJsonAsync(ApiRoutes.UserPassword("admin"), new PasswordResetRequest("taken-over-1"))).StatusCode.Should().Be(HttpStatusCode.Forbidden);

        (await admin.PutAsJsonAsync(ApiRoutes.UserPassword("bob"), new PasswordResetRequest("reset-password-1"))).StatusCode.Should().Be(HttpStatusCode.NoContent);
        (await bob.GetAsync(ApiRoutes.Me)).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        await server.LoginAsync("bob", "reset-password-1");
        (await admin.PutAsJsonAsync(ApiRoutes.UserPassword("nobody"), new PasswordResetRequest("reset-password-1"))).StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Disable_EveryTokenAndSessionStopsAtOnce_LoginRefused_EnableRestores()
    {
        await using var server = await TestServerApp.StartAsync();
        var bob = await server.NewUserAsync("bob");
        var personal = await (await bob.PostAsJsonAsync(ApiRoutes.Tokens, new TokenCreateRequest("laptop"))).ReadAsync<TokenCreatedDto>();
        var session = await server.Anonymous().PostAsJsonAsync(WebRoutes.Session, new TokenRequest("bob", "password-bob"));
        var cookie = session.Headers.GetValues("Set-Cookie").First(c => c.StartsWith(Auth.WebSession.SessionCookie, StringComparison.Ordinal)).Split(';')[0];
        var web = server.Anonymous();
        web.DefaultRequestHeaders.Add("Cookie", cookie);
        (await web.GetAsync(ApiRoutes.Me)).StatusCode.Should().Be(HttpStatusCode.OK);

        var admin = await server.LoginAsync();
        var disabled = await (await admin.PostAsync(ApiRoutes.UserDisable("bob"), null)).ReadAsync<UserDto>();
        disabled.Disabled.Should().BeTrue();
        (await bob.GetAsync(ApiRoutes.Me)).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        (await WithToken(server, personal.Token).GetAsync(ApiRoutes.Me)).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        (await web.GetAsync(ApiRoutes.Me)).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        var refused = await server.Anonymous().PostAsJsonAsync(ApiRoutes.Token, new TokenRequest("bob", "password-bob"));
        refused.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await Code(refused)).Should().Be("auth.disabled");

        (await admin.PostAsync(ApiRoutes.UserEnable("bob"), null)).StatusCode.Should().Be(HttpStatusCode.OK);
        (await WithToken(server, personal.Token).GetAsync(ApiRoutes.Me)).StatusCode.Should().Be(HttpStatusCode.OK); // personal tokens survive
        await server.LoginAsync("bob", "password-bob");

        var self = await admin.PostAsync(ApiRoutes.UserDisable("admin"), null);
        self.StatusCode.Should().Be(HttpStatusCode.Conflict);
        (await bob.PostAsync(ApiRoutes.UserDisable("admin"), null)).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Delete_UserWithVms_RefusedUnlessTransferredOrDeleted()
    {
        await using var server = await TestServerApp.StartAsync();
        var admin = await server.LoginAsync();
        var bob = await server.NewUserAsync("bob");
        var carol = await server.NewUserAsync("carol");
        await bob.PostAsJsonAsync(ApiRoutes.Vms, ApiExtensions.Vm("web"));
        await bob.WaitForStateAsync("web", "Running");
        await carol.PostAsJsonAsync(ApiRoutes.Vms, ApiExtensions.Vm("db"));
        await carol.WaitForStateAsync("db", "Running");

        var refused = await admin.DeleteAsync(ApiRoutes.User("bob"));
        refused.StatusCode.Should().Be(HttpStatusCode.Conflict);
        var problem = await refused.ProblemAsync();
        problem.GetProperty("code").GetString().Should().Be("user.has-vms");
        problem.GetProperty("detail").GetString().Should().Contain("web").And.Contain("--transfer-to");
        (await admin.DeleteAsync(ApiRoutes.User("bob") + "?transferTo=ghost")).StatusCode.Should().Be(HttpStatusCode.NotFound);

        (await admin.DeleteAsync(ApiRoutes.User("bob") + "?transferTo=carol")).StatusCode.Should().Be(HttpStatusCode.NoContent);
        (await admin.GetAsync(ApiRoutes.User("bob"))).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await carol.GetAsync(ApiRoutes.Vm("web"))).StatusCode.Should().Be(HttpStatusCode.OK);

        var pending = await admin.DeleteAsync(ApiRoutes.User("carol") + "?deleteVms=true");
        pending.StatusCode.Should().Be(HttpStatusCode.Accepted);
        (await pending.ReadAsync<UserDeletionDto>()).VmsBeingDeleted.Should().Be(2);
        (await carol.GetAsync(ApiRoutes.Me)).StatusCode.Should().Be(HttpStatusCode.Unauthorized); // disabled meanwhile
        var deadline = DateTime.UtcNow.AddSeconds(10);
        HttpResponseMessage again;
        while ((again = await admin.DeleteAsync(ApiRoutes.User("carol") + "?deleteVms=true")).StatusCode == HttpStatusCode.Accepted && DateTime.UtcNow < deadline)
            await Task.Delay(50);
        again.StatusCode.Should().Be(HttpStatusCode.NoContent);
        (await admin.GetAsync(ApiRoutes.User("carol"))).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await admin.GetAsync(ApiRoutes.Vm("carol/db"))).StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task PersonalTokens_ScopesEnforced_ListedWithoutValues_RevokedByOwnerOrAdminOnly()
    {
        await using var server = await TestServerApp.StartAsync();
        var admin = await server.LoginAsync();
        var bob = await server.NewUserAsync("bob");

        var created = await bob.PostAsJsonAsync(ApiRoutes.Tokens, new TokenCreateRequest("reader", ["read"], 7));
        created.StatusCode.Should().Be(HttpStatusCode.Created);
        created.Headers.CacheControl!.NoStore.Should().BeTrue();
        var reader = await created.ReadAsync<TokenCreatedDto>();
        reader.Scopes.Should().Equal("read");
        reader.ExpiresAt.Should().BeCloseTo(DateTimeOffset.UtcNow.AddDays(7), TimeSpan.FromMinutes(1));

        var asReader = WithToken(server, reader.Token);
        (await asReader.GetAsync(ApiRoutes.Vms)).StatusCode.Should().Be(HttpStatusCode.OK);
        var write = await asReader.PostAsJsonAsync(ApiRoutes.Vms, ApiExtensions.Vm("x"));
        write.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await Code(write)).Should().Be("auth.scope");

        var writer = await (await bob.PostAsJsonAsync(ApiRoutes.Tokens, new TokenCreateRequest("ci", ["write"]))).ReadAsync<TokenCreatedDto>();
        writer.Scopes.Should().Equal("read", "write");
        (await WithToken(server, writer.Token).PostAsJsonAsync(ApiRoutes.Vms, ApiExtensions.Vm("ci1"))).StatusCode.Should().Be(HttpStatusCode.Created);

        (await bob.PostAsJsonAsync(ApiRoutes.Tokens, new TokenCreateRequest("root", ["admin"]))).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await bob.PostAsJsonAsync(ApiRoutes.Tokens, new TokenCreateRequest("bad", ["sudo"]))).StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await bob.PostAsJsonAsync(ApiRoutes.Tokens, new TokenCreateRequest("ci"))).StatusCode.Should().Be(HttpStatusCode.Conflict);
        (await bob.PostAsJsonAsync(ApiRoutes.Tokens, new TokenCreateRequest("long", null, 366))).StatusCode.Should().Be(HttpStatusCode.BadRequest);

        // An admin's token without the admin scope acts as an ordinary user.
        var adminWrite = await (await admin.PostAsJsonAsync(ApiRoutes.Tokens, new TokenCreateRequest("no-admin", ["write"]))).ReadAsync<TokenCreatedDto>();
        (await WithToken(server, adminWrite.Token).GetAsync(ApiRoutes.Users)).StatusCode.Should().Be(HttpStatusCode.Forbidden);

        var listed = await (await bob.GetAsync(ApiRoutes.Tokens)).Content.ReadAsStringAsync();
        listed.Should().Contain("reader").And.Contain("ci").And.NotContain(reader.Token).And.NotContain(writer.Token);
        (await bob.GetAsync(ApiRoutes.Tokens + "?user=admin")).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        var bobs = await (await admin.GetAsync(ApiRoutes.Tokens + "?user=bob")).ReadAsync<List<TokenDto>>();
        bobs.Where(t => t.Kind == "personal").Select(t => t.Name).Should().BeEquivalentTo("reader", "ci");

        (await bob.DeleteAsync(ApiRoutes.TokenById(adminWrite.Id))).StatusCode.Should().Be(HttpStatusCode.NotFound); // not bob's
        (await bob.DeleteAsync(ApiRoutes.TokenById(reader.Id))).StatusCode.Should().Be(HttpStatusCode.NoContent);
        (await asReader.GetAsync(ApiRoutes.Vms)).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        (await admin.DeleteAsync(ApiRoutes.TokenById(writer.Id))).StatusCode.Should().Be(HttpStatusCode.NoContent);
        (await WithToken(server, writer.Token).GetAsync(ApiRoutes.Vms)).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
    }
}
