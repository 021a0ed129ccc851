using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Octopus.Contracts;
using Octopus.TestKit;

namespace Octopus.Server.Tests.Observability;

/// <summary><c>/metrics</c> is open by default (Prometheus scrapes without credentials); with
/// <c>Octopus:Metrics:RequireAuthentication</c> it answers administrators' tokens only, a read-scope token included (what
/// a scraper should hold), and refuses anonymous callers (401) and other users (403).</summary>
public sealed class MetricsAccessTests
{
    [Fact]
    public async Task ByDefault_AnyoneReadsMetrics()
    {
        await using var server = await TestServerApp.StartAsync();
        var r = await server.Anonymous().GetAsync("/metrics", TestContext.Current.CancellationToken);
        r.StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task RequireAuthentication_OnlyAdminsTokens_AReadScopeOneIncluded()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var server = await TestServerApp.StartAsync(TestServerApp.DefaultConfig(""", "Metrics": { "RequireAuthentication": true }"""));
        (await server.Anonymous().GetAsync("/metrics", ct)).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        var bob = await server.NewUserAsync("bob");
        (await bob.GetAsync("/metrics", ct)).StatusCode.Should().Be(HttpStatusCode.Forbidden);

        var admin = await server.LoginAsync();
        var ok = await admin.GetAsync("/metrics", ct);
        ok.StatusCode.Should().Be(HttpStatusCode.OK);
        (await ok.Content.ReadAsStringAsync(ct)).Should().Contain("octopus_");

        var created = await admin.PostAsJsonAsync(ApiRoutes.Tokens, new TokenCreateRequest("prometheus", ["read"]), ct);
        created.IsSuccessStatusCode.Should().BeTrue(await created.Content.ReadAsStringAsync(ct));
        var token = (await created.ReadAsync<TokenCreatedDto>()).Token;
        using var scraper = server.Anonymous();
        scraper.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        (await scraper.GetAsync("/metrics", ct)).StatusCode.Should().Be(HttpStatusCode.OK);
    }
}
