using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Octopus.Application.Auth;
using Octopus.Contracts;
using Octopus.Domain.Users;
using Octopus.Persistence;
using Octopus.TestKit;

namespace Octopus.Server.Tests.Identity;

/// <summary>The server's token cache (<see cref="TokenCache"/>): a token resolved once is answered from memory for
/// <see cref="TokenCache.Ttl"/> (a token deleted behind this process's back, as another replica would, keeps working
/// that long and no longer), while a revoke, a password reset or a disable made through this process takes
/// effect at the very next request although the token is cached. CredentialLifecycleTests covers the same commands
/// without looking at the cache.</summary>
public class TokenCacheTests
{
    private static HttpClient WithToken(TestServerApp server, string token)
    {
        var http = server.Anonymous();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return http;
    }

    [Fact]
    public async Task TokenDeletedByAnotherReplica_StillAnsweredWithinTheTtl_RefusedAfterIt()
    {
        await using var server = await TestServerApp.StartAsync();
        var eve = await server.NewUserAsync("eve");
        (await eve.GetAsync(ApiRoutes.Me)).StatusCode.Should().Be(HttpStatusCode.OK); // resolved, so cached

        // Another replica revokes it: a delete in the store that no save of this process sees.
        await using (var db = server.App.Services.GetRequiredService<IDbContextFactory<OctopusDbContext>>().CreateDbContext())
        {
            var id = await db.Users.Where(u => u.Name == UserName.Parse("eve")).Select(u => u.Id).FirstAsync();
            (await db.ApiTokens.Where(t => t.UserId == id).ExecuteDeleteAsync()).Should().Be(1);
        }
        var deleted = DateTimeOffset.UtcNow;

        (await eve.GetAsync(ApiRoutes.Me)).StatusCode.Should().Be(HttpStatusCode.OK, "the cache answers within its TTL (before it, the store did: 401)");
        await Task.Delay(TokenCache.Ttl - (DateTimeOffset.UtcNow - deleted) + TimeSpan.FromMilliseconds(300));
        (await eve.GetAsync(ApiRoutes.Me)).StatusCode.Should().Be(HttpStatusCode.Unauthorized, "past the TTL the store is asked again");
    }

    [Fact]
    public async Task CachedTokens_RevokedResetOrDisabledThroughThisServer_RefusedAtTheNextRequest()
    {
        await using var server = await TestServerApp.StartAsync();
        var admin = await server.LoginAsync();
        var bob = await server.NewUserAsync("bob");
        var personal = await (await bob.PostAsJsonAsync(ApiRoutes.Tokens, new TokenCreateRequest("laptop"))).ReadAsync<TokenCreatedDto>();
        var laptop = WithToken(server, personal.Token);
        (await laptop.GetAsync(ApiRoutes.Me)).StatusCode.Should().Be(HttpStatusCode.OK); // cached

        // A revoke (a tracked delete, seen by the save).
        (await bob.DeleteAsync(ApiRoutes.TokenById(personal.Id))).StatusCode.Should().Be(HttpStatusCode.NoContent);
        (await laptop.GetAsync(ApiRoutes.Me)).StatusCode.Should().Be(HttpStatusCode.Unauthorized);

        // A password reset by an admin (a bulk delete of bob's logins).
        (await bob.GetAsync(ApiRoutes.Me)).StatusCode.Should().Be(HttpStatusCode.OK);
        (await admin.PutAsJsonAsync(ApiRoutes.UserPassword("bob"), new PasswordResetRequest("password-bob-2"))).EnsureSuccessStatusCode();
        (await bob.GetAsync(ApiRoutes.Me)).StatusCode.Should().Be(HttpStatusCode.Unauthorized);

        // A disable (a change of the user), with a personal token, which the disable does not delete.
        bob = await server.LoginAsync("bob", "password-bob-2");
        var second = await (await bob.PostAsJsonAsync(ApiRoutes.Tokens, new TokenCreateRequest("desk"))).ReadAsync<TokenCreatedDto>();
        var desk = WithToken(server, second.Token);
        (await desk.GetAsync(ApiRoutes.Me)).StatusCode.Should().Be(HttpStatusCode.OK);
        (await admin.PostAsync(ApiRoutes.UserDisable("bob"), null)).StatusCode.Should().Be(HttpStatusCode.OK);
        (await desk.GetAsync(ApiRoutes.Me)).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
    }
}
