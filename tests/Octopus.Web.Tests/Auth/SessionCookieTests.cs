using System.Net;
using System.Net.Http.Json;
using Octopus.Contracts;
using Octopus.TestKit;

namespace Octopus.Web.Tests.Auth;

public class SessionCookieTests
{
    /// <summary>A test-host client that keeps the cookies the server sets (the test host has no cookie container).</summary>
    internal sealed class CookieClient(HttpClient http)
    {
        public Dictionary<string, string> Cookies { get; } = [];
        public List<string> SetCookieHeaders { get; } = [];
        public HttpClient Http => http;

        public async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, object? body = null, bool csrf = true)
        {
            using var request = new HttpRequestMessage(method, path);
            if (body is not null) request.Content = JsonContent.Create(body);
            if (Cookies.Count > 0) request.Headers.Add("Cookie", string.Join("; ", Cookies.Select(c => $"{c.Key}={c.Value}")));
            if (csrf && Cookies.TryGetValue("octopus_csrf", out var token)) request.Headers.Add("X-CSRF-Token", token);
            var response = await http.SendAsync(request);
            if (response.Headers.TryGetValues("Set-Cookie", out var values))
                foreach (var v in values)
                {
                    SetCookieHeaders.Add(v);
                    var pair = v.Split(';')[0].Split('=', 2);
                    if (v.Contains("expires=Thu, 01 Jan 1970", StringComparison.OrdinalIgnoreCase) || pair[1].Length == 0) Cookies.Remove(pair[0]);
                    else Cookies[pair[0]] = pair[1];
                }
            return response;
        }

        public async Task<HttpResponseMessage> LoginAsync(string user = "admin", string password = TestServerApp.AdminPassword) =>
            await SendAsync(HttpMethod.Post, WebRoutes.Session, new TokenRequest(user, password), csrf: false);
    }

    [Fact]
    public async Task Login_SetsHttpOnlyStrictSessionCookie_AndReadableCsrfCookie()
    {
        await using var server = await TestServerApp.StartAsync();
        var client = new CookieClient(server.Anonymous());

        var response = await client.LoginAsync();

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        var session = await response.ReadAsync<SessionDto>();
        session.Username.Should().Be("admin");
        session.Role.Should().Be("admin");
        var sessionCookie = client.SetCookieHeaders.Single(h => h.StartsWith("octopus_session=", StringComparison.Ordinal)).ToLowerInvariant();
        sessionCookie.Should().Contain("httponly").And.Contain("samesite=strict").And.Contain("path=/");
        sessionCookie.Should().NotContain("secure", "the test host speaks plain HTTP; Secure is set only over HTTPS");
        var csrfCookie = client.SetCookieHeaders.Single(h => h.StartsWith("octopus_csrf=", StringComparison.Ordinal)).ToLowerInvariant();
        csrfCookie.Should().Contain("samesite=strict").And.NotContain("httponly");
        client.Cookies["octopus_csrf"].Should().Be(session.CsrfToken);
        client.Cookies["octopus_session"].Should().NotBe(session.CsrfToken);

        var me = await client.SendAsync(HttpMethod.Get, ApiRoutes.Me);
        me.StatusCode.Should().Be(HttpStatusCode.OK);
        (await me.ReadAsync<MeDto>()).Username.Should().Be("admin");
    }

    [Fact]
    public async Task Login_WrongPassword_Is401Problem_AndSetsNoCookie()
    {
        await using var server = await TestServerApp.StartAsync();
        var client = new CookieClient(server.Anonymous());

        var response = await client.LoginAsync("admin", "nope");

        response.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        (await response.ProblemAsync()).GetProperty("code").GetString().Should().Be("auth.bad-credentials");
        client.Cookies.Should().BeEmpty();
    }

    [Fact]
    public async Task UnsafeRequest_WithCookieButNoCsrfHeader_Is403Problem_AndChangesNothing()
    {
        await using var server = await TestServerApp.StartAsync();
        var client = new CookieClient(server.Anonymous());
        await client.LoginAsync();

        var refused = await client.SendAsync(HttpMethod.Post, ApiRoutes.Vms, ApiExtensions.Vm("csrf-1"), csrf: false);

        refused.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        var problem = await refused.ProblemAsync();
        problem.GetProperty("code").GetString().Should().Be("auth.csrf");
        problem.GetProperty("detail").GetString().Should().Contain("X-CSRF-Token");
        (await client.SendAsync(HttpMethod.Get, ApiRoutes.Vm("csrf-1"))).StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task UnsafeRequest_WithWrongCsrfHeader_Is403()
    {
        await using var server = await TestServerApp.StartAsync();
        var client = new CookieClient(server.Anonymous());
        await client.LoginAsync();
        client.Cookies["octopus_csrf"] = "forged";

        var refused = await client.SendAsync(HttpMethod.Post, ApiRoutes.Vms, ApiExtensions.Vm("csrf-2"));

        refused.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await refused.ProblemAsync()).GetProperty("code").GetString().Should().Be("auth.csrf");
    }

    [Fact]
    public async Task UnsafeRequest_WithCookieAndCsrfHeader_IsAllowed_UnderTheSameRules()
    {
        await using var server = await TestServerApp.StartAsync();
        await server.NewUserAsync("alice");
        var client = new CookieClient(server.Anonymous());
        await client.LoginAsync("alice", "password-alice");

        var created = await client.SendAsync(HttpMethod.Post, ApiRoutes.Vms, ApiExtensions.Vm("web-1"));
        created.StatusCode.Should().Be(HttpStatusCode.Created);

        var adminOnly = await client.SendAsync(HttpMethod.Get, ApiRoutes.Users);
        adminOnly.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await adminOnly.ProblemAsync()).GetProperty("code").GetString().Should().Be("auth.admin-only");
    }

    [Fact]
    public async Task Logout_RevokesTheSession_AndClearsCookies()
    {
        await using var server = await TestServerApp.StartAsync();
        var client = new CookieClient(server.Anonymous());
        await client.LoginAsync();
        var oldSession = client.Cookies["octopus_session"];

        var withoutCsrf = await client.SendAsync(HttpMethod.Delete, WebRoutes.Session, csrf: false);
        withoutCsrf.StatusCode.Should().Be(HttpStatusCode.Forbidden, "another site must not be able to log a user out");

        var logout = await client.SendAsync(HttpMethod.Delete, WebRoutes.Session);
        logout.StatusCode.Should().Be(HttpStatusCode.NoContent);
        client.Cookies.Should().NotContainKey("octopus_session").And.NotContainKey("octopus_csrf");

        client.Cookies["octopus_session"] = oldSession; // a copy of the cookie no longer works
        var me = await client.SendAsync(HttpMethod.Get, ApiRoutes.Me);
        me.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        (await me.ProblemAsync()).GetProperty("code").GetString().Should().Be("auth.required");
    }

    [Fact]
    public async Task BearerToken_StillWorks_WithoutCsrf()
    {
        await using var server = await TestServerApp.StartAsync();
        var http = await server.LoginAsync();

        (await http.GetAsync(ApiRoutes.Me)).StatusCode.Should().Be(HttpStatusCode.OK);
        (await http.PostAsJsonAsync(ApiRoutes.Vms, ApiExtensions.Vm("bearer-1"))).StatusCode.Should().Be(HttpStatusCode.Created);
    }

    [Fact]
    public async Task NoCredentials_Is401Problem()
    {
        await using var server = await TestServerApp.StartAsync();

        var response = await server.Anonymous().GetAsync(ApiRoutes.Me);

        response.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        (await response.ProblemAsync()).GetProperty("code").GetString().Should().Be("auth.required");
    }
}
