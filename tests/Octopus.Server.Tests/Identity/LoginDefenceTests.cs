using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Octopus.Contracts;
using Octopus.Domain.Users;
using Octopus.TestKit;

namespace Octopus.Server.Tests.Identity;

/// <summary>Brute-force defence through HTTP: per-name lockout, per-address rate limit, bounded hashing, equal work for
/// unknown names, audit of failures and lockouts.</summary>
public class LoginDefenceTests
{
    private static string Config(string login) => TestServerApp.DefaultConfig($$""", "Login": { {{login}} }""");

    private static Task<HttpResponseMessage> TryLogin(HttpClient http, string user, string password) =>
        http.PostAsJsonAsync(ApiRoutes.Token, new TokenRequest(user, password));

    [Fact]
    public async Task WrongPassword_MaxFailuresTimes_NameLocked429WithRetryAfter_EvenForTheRightPassword_AndAudited()
    {
        await using var server = await TestServerApp.StartAsync(Config("\"MaxFailures\": 3, \"LockoutBase\": \"00:05:00\""));
        var http = server.Anonymous();
        for (var i = 0; i < 3; i++) (await TryLogin(http, "admin", "wrong-" + i)).StatusCode.Should().Be(HttpStatusCode.Unauthorized);

        var locked = await TryLogin(http, "admin", TestServerApp.AdminPassword);
        locked.StatusCode.Should().Be((HttpStatusCode)429);
        locked.Headers.RetryAfter!.Delta!.Value.TotalSeconds.Should().BeInRange(1, 300);
        var problem = await locked.ProblemAsync();
        problem.GetProperty("code").GetString().Should().Be("auth.locked");

        // Another account is not affected; the audit shows the failures and the lockout.
        await using var scope = server.App.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<Persistence.OctopusDbContext>();
        db.Audit.Count(a => a.Action == "auth.login" && !a.Succeeded && a.Actor == "admin").Should().Be(3);
        db.Audit.Count(a => a.Action == "auth.lockout" && a.Actor == "admin").Should().Be(1);
    }

    [Fact]
    public async Task UnknownName_LockedExactlyLikeAnExistingOne()
    {
        await using var server = await TestServerApp.StartAsync(Config("\"MaxFailures\": 2"));
        var http = server.Anonymous();
        var answers = new List<(HttpStatusCode, string?)>();
        foreach (var name in new[] { "admin", "ghost" })
        {
            for (var i = 0; i < 3; i++)
            {
                var r = await TryLogin(http, name, "wrong-password");
                answers.Add((r.StatusCode, (await r.ProblemAsync()).GetProperty("code").GetString()));
            }
        }
        // Same codes, same order, for the existing admin and for a name nobody has.
        answers.Take(3).Should().Equal(answers.Skip(3));
        answers.Take(3).Select(a => a.Item2).Should().Equal("auth.bad-credentials", "auth.bad-credentials", "auth.locked");
    }

    [Fact]
    public async Task Lockout_Expired_RightPasswordLogsInAndClearsTheCount()
    {
        await using var server = await TestServerApp.StartAsync(Config("\"MaxFailures\": 2, \"LockoutBase\": \"00:00:01\", \"LockoutMax\": \"00:00:01\""));
        var http = server.Anonymous();
        for (var i = 0; i < 2; i++) await TryLogin(http, "admin", "wrong");
        (await TryLogin(http, "admin", TestServerApp.AdminPassword)).StatusCode.Should().Be((HttpStatusCode)429);
        await Task.Delay(TimeSpan.FromSeconds(1.2));
        (await TryLogin(http, "admin", TestServerApp.AdminPassword)).StatusCode.Should().Be(HttpStatusCode.OK);
        (await TryLogin(http, "admin", "wrong")).StatusCode.Should().Be(HttpStatusCode.Unauthorized); // count restarted at 1: not locked
        (await TryLogin(http, "admin", TestServerApp.AdminPassword)).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task HashWork_UnknownNameAndWrongPassword_OneFullVerifyEach()
    {
        var counter = new CountingHasher();
        await using var server = await TestServerApp.StartAsync(Config("\"MaxFailures\": 100"),
            customize: b => b.Services.Replace(ServiceDescriptor.Singleton<Octopus.Application.Identity.IPasswordHasher>(counter)));
        var http = server.Anonymous();
        (await TryLogin(http, "admin", TestServerApp.AdminPassword)).StatusCode.Should().Be(HttpStatusCode.OK); // warms the dummy hash

        foreach (var (name, password) in new[] { ("nobody-here", "some-password"), ("admin", "wrong-password"), ("Not A Name!", "x"), ("admin", "") })
        {
            var before = counter.Verifies;
            (await TryLogin(http, name, password)).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
            (counter.Verifies - before).Should().Be(1, $"a login as '{name}' must cost exactly one hash check");
        }
    }

    [Fact]
    public async Task OneAddress_MoreThanPerAddressPermits_429RateLimited_WithRetryAfter()
    {
        await using var server = await TestServerApp.StartAsync(Config("\"PerAddressPermits\": 3, \"PerAddressWindow\": \"00:10:00\", \"MaxFailures\": 100"));
        var http = server.Anonymous();
        for (var i = 0; i < 3; i++) (await TryLogin(http, "user" + i, "wrong-password")).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        var limited = await TryLogin(http, "admin", TestServerApp.AdminPassword);
        limited.StatusCode.Should().Be((HttpStatusCode)429);
        limited.Headers.RetryAfter.Should().NotBeNull();
        (await limited.ProblemAsync()).GetProperty("code").GetString().Should().Be("auth.rate-limited");
    }

    [Fact]
    public async Task HashingSlotsFull_NextLogin429Busy_WhileAuthenticatedRequestsStillAnswer()
    {
        var slow = new CountingHasher { Gate = new SemaphoreSlim(0) };
        await using var server = await TestServerApp.StartAsync(Config("\"HashConcurrency\": 1, \"HashQueue\": 0, \"MaxFailures\": 100"),
            customize: b => b.Services.Replace(ServiceDescriptor.Singleton<Octopus.Application.Identity.IPasswordHasher>(slow)));
        slow.Gate.Release(10); // let the admin log in first
        var admin = await server.LoginAsync();
        while (slow.Gate.CurrentCount > 0) await slow.Gate.WaitAsync();

        var anon = server.Anonymous();
        var stuck = TryLogin(anon, "admin", "wrong-1"); // holds the only slot until released
        while (slow.Waiting == 0) await Task.Delay(5);
        var busy = await TryLogin(anon, "admin", "wrong-2");
        busy.StatusCode.Should().Be((HttpStatusCode)429);
        (await busy.ProblemAsync()).GetProperty("code").GetString().Should().Be("auth.busy");
        busy.Headers.RetryAfter!.Delta.Should().Be(TimeSpan.FromSeconds(1));
        (await admin.GetAsync(ApiRoutes.Vms)).StatusCode.Should().Be(HttpStatusCode.OK);

        slow.Gate.Release(1);
        (await stuck).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task TokenResponse_NoStore_AndReferrerPolicyOnEveryAnswer()
    {
        await using var server = await TestServerApp.StartAsync();
        var r = await TryLogin(server.Anonymous(), "admin", TestServerApp.AdminPassword);
        r.Headers.CacheControl!.NoStore.Should().BeTrue();
        r.Headers.GetValues("Referrer-Policy").Should().Equal("no-referrer");
        (await server.Anonymous().GetAsync(ApiRoutes.Base + "/health")).Headers.GetValues("Referrer-Policy").Should().Equal("no-referrer");
    }

    /// <summary>The real PBKDF2 hasher, counting verifications; optionally blocking each one on <see cref="Gate"/>.</summary>
    private sealed class CountingHasher : Octopus.Application.Identity.IPasswordHasher
    {
        private readonly Octopus.Server.Identity.AspNetPasswordHasher _real = new();
        private int _verifies, _waiting;
        public SemaphoreSlim? Gate { get; init; }
        public int Verifies => Volatile.Read(ref _verifies);
        public int Waiting => Volatile.Read(ref _waiting);

        public string HashPassword(User user, string password) => _real.HashPassword(user, password);

        public bool VerifyHashedPassword(User user, string hashedPassword, string providedPassword)
        {
            Interlocked.Increment(ref _verifies);
            if (Gate is { } g)
            {
                Interlocked.Increment(ref _waiting);
                g.Wait();
                Interlocked.Decrement(ref _waiting);
            }
            return _real.VerifyHashedPassword(user, hashedPassword, providedPassword);
        }
    }
}
